import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * How long after start-up the heap is collected. Start-up work (migrations, the first probes) is done by then on
 * this hardware; anything a slower start leaves is taken by V8's memory reducer, which the collection sets going.
 */
const AFTER_START_MS = 5_000;

type GcFunction = (options?: { type: 'minor' | 'major' }) => void;
let gcFunction: GcFunction | null | undefined;

/** V8's own `gc()`, exposed once for this process; null where V8 does not offer it. */
function v8Gc(): GcFunction | null {
  if (gcFunction === undefined) {
    v8.setFlagsFromString('--expose-gc');
    gcFunction = (vm.runInNewContext('gc') as GcFunction | undefined) ?? null;
  }
  return gcFunction;
}

/**
 * Runs one full garbage collection a few seconds after the server has started. Loading and compiling the
 * modules leaves about 25 MiB of garbage in V8's old generation; V8 collects it only when more is allocated, and a
 * NAS at rest allocates almost nothing, so the process would keep that memory for as long as it stays idle.
 *
 * The collection frees the garbage; whether V8 also gives the pages back at once depends on what it last measured
 * of the allocation rate (in about half of the starts with `--interrupt-budget=16384` it kept them). A full
 * collection also starts V8's memory reducer, whose own collection 8 s later shrinks the heap to what is live in
 * every case: resident memory 120-129 MiB after start, 90-94 MiB from about 14 s after start (five starts,
 * `--trace-gc`). Collecting at 10 s left the memory in place until about 19 s. The pause is one full collection of
 * a small heap (20-30 ms), once.
 */
export function compactHeapAfterStart(): void {
  const timer = setTimeout(() => {
    v8Gc()?.();
  }, AFTER_START_MS);
  timer.unref();
}

/**
 * Collects V8's young generation now (a scavenge: under a millisecond, it visits only live young objects).
 *
 * A large upload arrives as one fresh 64 KiB buffer per socket read, made by Node's HTTP parser. Each is garbage
 * once written, but V8 counts their memory outside its heap and collects them only when that count has grown by
 * 64 MiB, or when the young generation fills, which the few small objects per chunk take a gigabyte to do: the
 * server's memory climbed by 30-40 MiB during every large upload. Called every few MiB of a large upload, this
 * frees those buffers as they die (measured over 1 GiB: peak 133-137 → 107-108 MiB resident, same speed).
 */
export function collectYoungGarbage(): void {
  v8Gc()?.({ type: 'minor' });
}
