import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import type { Config } from './config/index.js';
import { createLogger, type Logger } from './logging/logger.js';
import { controlSocketPath } from './control-socket.js';
import { prepareForWorkers, startServer, type BaluhostServer, type WorkerRole } from './server.js';
import type { DomainEventName, DomainEvents } from './services/index.js';
import { VERSION } from './version.js';
import { redactConfig } from './config/index.js';
import { compactHeapAfterStart } from './heap.js';
import type { ProcessMetrics } from './metrics/index.js';

/** Messages between the primary and its workers (node:cluster's IPC channel). */
type Message =
  | { readonly baluhost: 'hello' }
  | { readonly baluhost: 'role'; readonly slot: number; readonly count: number }
  | { readonly baluhost: 'ready' }
  | { readonly baluhost: 'event'; readonly name: DomainEventName; readonly payload: unknown }
  | { readonly baluhost: 'stop' }
  // /api/metrics in the control worker: it asks the primary for the other workers' own series.
  | { readonly baluhost: 'metrics-ask'; readonly id: number }
  | { readonly baluhost: 'metrics-collect'; readonly id: number }
  | { readonly baluhost: 'metrics-reply'; readonly id: number; readonly metrics: ProcessMetrics }
  | {
      readonly baluhost: 'metrics-answer';
      readonly id: number;
      readonly workers: WorkerMetrics[];
    };

function isMessage(value: unknown): value is Message {
  return typeof value === 'object' && value !== null && 'baluhost' in value;
}

/** Worker 1 runs what must run once per server: the SMB gateway, the server-wide metrics, the scheduler. */
const CONTROL_SLOT = 1;

/** Events whose payload carries a password: only the control worker (the SMB gateway) gets it. */
const WITH_PASSWORD: ReadonlySet<DomainEventName> = new Set(['user.created', 'user.password']);

/**
 * Events only the control worker acts on: `storage.changed` is heard by the SMB gateway (owners of new files, its
 * reload) and by the storage figures of `/api/metrics`, both there alone. Every upload emits one; sent to every
 * worker, it cost each small file a message to the primary and one to each other worker.
 */
const FOR_CONTROL_ONLY: ReadonlySet<DomainEventName> = new Set(['storage.changed']);

/** Whether the primary relays an event emitted in slot `from` to the worker in slot `to`. */
export function relaysTo(name: DomainEventName, from: number, to: number): boolean {
  return to !== from && (to === CONTROL_SLOT || !FOR_CONTROL_ONLY.has(name));
}

/** How long after a crash a worker is started again; doubled per crash in a row, up to 30 s. */
const RESTART_DELAY_MS = 500;

/**
 * Crashes in a row, without reaching 'ready', after which a slot counts as unable to start. When every slot is
 * down and unable to start (a port taken, a data dir or database the workers cannot use), the primary exits 1
 * rather than retry forever: the service manager then sees a failed unit (and restarts it, with its own limits).
 */
const GIVE_UP_AFTER_CRASHES = 3;

/**
 * How long the primary waits for the workers' series for a scrape: a worker that does not answer by then (busy,
 * or just restarting) is left out of that scrape, which Prometheus sees as its series missing once.
 */
const METRICS_WAIT_MS = 2_000;

/** One worker's own metrics, as the primary passes them to the control worker. */
type WorkerMetrics = { slot: number; metrics: ProcessMetrics };

/**
 * The primary of `baluhost serve --workers N`: prepares the data dir and database once, forks N workers that share
 * the ports (node:cluster hands connections out round-robin), relays domain events between them (cache
 * invalidation everywhere; SMB account changes and changed files to the control worker alone), starts a crashed
 * worker again in its slot, and on SIGTERM or SIGINT stops them all, letting their requests in flight finish.
 */
export async function runPrimary(config: Config, count: number): Promise<void> {
  const logger = createLogger(config.logLevel).child({ worker: 0 });
  logger.info({ config: redactConfig(config), version: VERSION, workers: count }, 'starting');
  const pending: { name: DomainEventName; payload: unknown }[] = await prepareForWorkers(config, logger);
  const slots = new Map<number, Worker>();
  const crashes = new Map<number, number>();
  /** Workers that have started serving (and so answer the primary's questions). */
  const serving = new Set<Worker>();
  /** Scrapes in progress: the workers' answers so far, by collection id. */
  const collections = new Map<number, (slot: number, metrics: ProcessMetrics) => void>();
  let nextCollection = 0;
  let isStopping = false;

  const send = (worker: Worker, message: Message) => {
    if (worker.isConnected()) worker.send(message);
  };
  const fork = (slot: number) => {
    const worker = cluster.fork();
    slots.set(slot, worker);
    worker.on('message', (message: unknown) => {
      if (!isMessage(message)) return;
      if (message.baluhost === 'hello') {
        // Asked for, not pushed on 'online': a message that arrives before the worker listens is lost.
        send(worker, { baluhost: 'role', slot, count });
        if (slot === CONTROL_SLOT) {
          for (const e of pending.splice(0))
            send(worker, { baluhost: 'event', name: e.name, payload: e.payload });
        }
      } else if (message.baluhost === 'event') {
        relay(slot, message);
      } else if (message.baluhost === 'ready') {
        // A worker that got as far as serving starts again without the crash back-off growing.
        crashes.delete(slot);
        serving.add(worker);
      } else if (message.baluhost === 'metrics-ask') {
        void collectMetrics(slot).then((workers) => {
          send(worker, { baluhost: 'metrics-answer', id: message.id, workers });
        });
      } else if (message.baluhost === 'metrics-reply') {
        collections.get(message.id)?.(slot, message.metrics);
      }
    });
    worker.once('exit', (code, signal) => {
      if (slots.get(slot) === worker) slots.delete(slot);
      serving.delete(worker);
      if (isStopping) return;
      const n = (crashes.get(slot) ?? 0) + 1;
      crashes.set(slot, n);
      const unable = (s: number) => !slots.has(s) && (crashes.get(s) ?? 0) >= GIVE_UP_AFTER_CRASHES;
      if (Array.from({ length: count }, (_, i) => i + 1).every(unable)) {
        logger.error(
          { slot, pid: worker.process.pid, code, signal, crashesInARow: GIVE_UP_AFTER_CRASHES },
          'no worker can start: giving up (see the workers’ errors above)',
        );
        process.exit(1);
      }
      const delay = Math.min(30_000, RESTART_DELAY_MS * 2 ** (n - 1));
      logger.error({ slot, pid: worker.process.pid, code, signal, restartInMs: delay }, 'worker exited');
      // Not unref'd: while every worker is down, this timer is what keeps the primary alive.
      setTimeout(() => {
        if (!isStopping) fork(slot);
      }, delay);
    });
  };
  const relay = (from: number, message: Extract<Message, { baluhost: 'event' }>) => {
    for (const [slot, worker] of slots) {
      if (!relaysTo(message.name, from, slot)) continue;
      const payload =
        WITH_PASSWORD.has(message.name) && slot !== CONTROL_SLOT
          ? { ...(message.payload as Record<string, unknown>), password: '' }
          : message.payload;
      send(worker, { baluhost: 'event', name: message.name, payload });
    }
  };

  /** Every worker's own series but the asker's: those that answer within METRICS_WAIT_MS. */
  const collectMetrics = (asker: number): Promise<WorkerMetrics[]> => {
    const id = nextCollection++;
    // A worker still starting has no metrics yet, and would only make the scrape wait.
    const asked = [...slots].filter(([slot, w]) => slot !== asker && serving.has(w) && w.isConnected());
    const answers: WorkerMetrics[] = [];
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        collections.delete(id);
        resolve(answers.sort((a, b) => a.slot - b.slot));
      };
      const timer = setTimeout(finish, METRICS_WAIT_MS);
      collections.set(id, (slot, metrics) => {
        answers.push({ slot, metrics });
        if (answers.length === asked.length) finish();
      });
      if (asked.length === 0) finish();
      for (const [, w] of asked) send(w, { baluhost: 'metrics-collect', id });
    });
  };

  for (let slot = 1; slot <= count; slot++) fork(slot);

  const stop = async (signal: string) => {
    if (isStopping) return;
    isStopping = true;
    logger.info({ signal }, 'stopping');
    const exits = [...slots.values()].map((w) =>
      w.isDead() ? Promise.resolve() : once(w, 'exit').then(() => undefined),
    );
    for (const w of slots.values()) send(w, { baluhost: 'stop' });
    // Each worker cuts its own uploads after BALUHOST_SHUTDOWN_TIMEOUT; this bounds a worker that hangs anyway.
    const timer = setTimeout(
      () => {
        for (const w of slots.values()) w.process.kill('SIGKILL');
      },
      (config.shutdownTimeoutSeconds + 15) * 1000,
    );
    await Promise.all(exits);
    clearTimeout(timer);
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

/**
 * A worker: waits for its slot from the primary, serves, relays its domain events, and stops on the primary's
 * word, on SIGTERM/SIGINT, or when the primary is gone.
 */
export async function runWorker(config: Config): Promise<BaluhostServer> {
  const answer = once(process, 'message');
  process.send?.({ baluhost: 'hello' } satisfies Message);
  const [first] = (await answer) as [unknown];
  if (!isMessage(first) || first.baluhost !== 'role') throw new Error('expected the worker role first');
  const role: WorkerRole = {
    slot: first.slot,
    count: first.count,
    isControl: first.slot === CONTROL_SLOT,
    controlSocket: controlSocketPath(config.dataDir),
  };
  const early: Extract<Message, { baluhost: 'event' }>[] = [];
  const collect = (m: unknown) => {
    if (isMessage(m) && m.baluhost === 'event') early.push(m);
  };
  process.on('message', collect);
  const server = await startServer(config, { worker: role });
  compactHeapAfterStart();
  process.off('message', collect);
  const events = server.services.events;
  const deliver = (m: Extract<Message, { baluhost: 'event' }>) => {
    events.emitRemote(m.name, m.payload as DomainEvents[typeof m.name][0]);
  };
  for (const m of early) deliver(m);
  events.relayTo((name, payload) => {
    // The control worker's own events of this kind have nobody else to go to.
    if (role.isControl && FOR_CONTROL_ONLY.has(name)) return;
    if (process.connected) process.send?.({ baluhost: 'event', name, payload } satisfies Message);
  });
  const metrics = server.services.metrics;
  /** The control worker's scrapes waiting for the primary's answer, by id. */
  const scrapes = new Map<number, (workers: WorkerMetrics[]) => void>();
  if (role.isControl) {
    // The primary answers within METRICS_WAIT_MS; this bound only covers a primary that never does.
    let nextScrape = 0;
    metrics.includeWorkers(role.slot, () => {
      const id = nextScrape++;
      return new Promise((resolve) => {
        const done = (workers: WorkerMetrics[]) => {
          clearTimeout(timer);
          scrapes.delete(id);
          resolve(workers);
        };
        const timer = setTimeout(() => {
          done([]);
        }, 2 * METRICS_WAIT_MS);
        scrapes.set(id, done);
        if (process.connected) process.send?.({ baluhost: 'metrics-ask', id } satisfies Message);
        else done([]);
      });
    });
  }

  let isStopping = false;
  const stop = (why: string, logger: Logger) => {
    if (isStopping) return;
    isStopping = true;
    logger.info({ why }, 'worker stopping');
    void server.close().then(() => process.exit(0));
  };
  process.on('message', (m: unknown) => {
    if (!isMessage(m)) return;
    if (m.baluhost === 'event') deliver(m);
    else if (m.baluhost === 'stop') stop('primary', server.logger);
    else if (m.baluhost === 'metrics-answer') scrapes.get(m.id)?.(m.workers);
    else if (m.baluhost === 'metrics-collect') {
      void metrics.processMetrics().then((own) => {
        if (process.connected)
          process.send?.({ baluhost: 'metrics-reply', id: m.id, metrics: own } satisfies Message);
      });
    }
  });
  process.on('SIGTERM', () => {
    stop('SIGTERM', server.logger);
  });
  process.on('SIGINT', () => {
    stop('SIGINT', server.logger);
  });
  process.on('disconnect', () => {
    stop('primary gone', server.logger);
  });
  process.send?.({ baluhost: 'ready' } satisfies Message);
  return server;
}
