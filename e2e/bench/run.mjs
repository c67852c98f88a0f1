#!/usr/bin/env node
// npm run bench [-- --quick] [--servers baluhost,apache,nginx,rclone] [--repeats N] [--workloads ...]
// BaluHost's WebDAV beside Apache mod_dav_fs, nginx dav + dav_ext and rclone serve webdav, on this machine.
// See e2e/bench/README.md for what each workload measures and how.
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  writeSync,
  rmSync,
  readFileSync,
  statfsSync,
  writeFileSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout, clearTimeout } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { SERVERS, TOOLS, freePort } from './lib/servers.mjs';
import { run, groupRssMiB } from './lib/proc.mjs';
import * as w from './lib/workloads.mjs';
import { warmClient } from './lib/client-warmup.mjs';
import { markdownTable, variantLine, metrics, sizeText, num } from './lib/report.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const MiB = 1024 * 1024;
const ALL_SERVERS = ['baluhost', 'baluhost-fsync-always', 'node-floor', 'apache', 'nginx', 'rclone'];
const ALL_WORKLOADS = ['big', 'range', 'puts', 'propfind', 'wrk', 'static'];

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    servers: { type: 'string', default: ALL_SERVERS.join(',') },
    workloads: { type: 'string', default: ALL_WORKLOADS.join(',') },
    repeats: { type: 'string' },
    'cpu-prof': { type: 'string' },
    settle: { type: 'string' },
    out: { type: 'string', default: path.join(here, 'results') },
    help: { type: 'boolean', default: false },
  },
});

if (opts.help) {
  console.log(`npm run bench -- [--quick] [--servers ${ALL_SERVERS.join(',')}] [--repeats N]
  [--workloads ${ALL_WORKLOADS.join(',')}] [--cpu-prof DIR] [--out DIR]
--quick: 64 MiB file, 200 small PUTs, 1,000-file PROPFIND, wrk 2 s, one repeat (results/quick-*).
--cpu-prof DIR: run BaluHost under node --cpu-prof, profiles into DIR (summarise with cpuprofile-top.mjs).
--settle S: seconds each server rests after start before its idle RSS is read and the workloads begin
  (default 15, 3 with --quick): BaluHost collects its start-up garbage five seconds after start.`);
  process.exit(0);
}

const cfg = opts.quick
  ? { bigBytes: 64 * MiB, smallPuts: 200, propfindFiles: 1000, wrkSeconds: 2, repeats: 1 }
  : { bigBytes: 1024 * MiB, smallPuts: 2000, propfindFiles: 10_000, wrkSeconds: 10, repeats: 3 };
cfg.settleSeconds = opts.quick ? 3 : 15;
if (opts.settle !== undefined) {
  cfg.settleSeconds = Number(opts.settle);
  if (!Number.isFinite(cfg.settleSeconds) || cfg.settleSeconds < 0 || cfg.settleSeconds > 120)
    fail('--settle takes 0..120 seconds');
}
if (opts.repeats !== undefined) {
  cfg.repeats = Number(opts.repeats);
  if (!Number.isInteger(cfg.repeats) || cfg.repeats < 1 || cfg.repeats > 20) fail('--repeats takes 1..20');
}
const servers = opts.servers
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
for (const s of servers) if (!SERVERS[s]) fail(`unknown server '${s}' (known: ${ALL_SERVERS.join(', ')})`);
const order = ALL_SERVERS.filter((s) => servers.includes(s));
const workloads = new Set(opts.workloads.split(',').map((s) => s.trim()));
for (const x of workloads)
  if (!ALL_WORKLOADS.includes(x)) fail(`unknown workload '${x}' (known: ${ALL_WORKLOADS.join(', ')})`);
if (workloads.has('range') && !workloads.has('big')) fail('the range workload reads the big file: add big');

function fail(msg) {
  console.error(`bench: ${msg}`);
  process.exit(2);
}

// --- what this run needs: name the Debian packages, install nothing -------------------------------------
function onPath(cmd) {
  if (cmd.startsWith('/')) return existsSync(cmd);
  return (process.env.PATH ?? '').split(':').some((d) => d && existsSync(path.join(d, cmd)));
}
const needs = { ...TOOLS, sync: 'coreutils' };
for (const s of order) Object.assign(needs, SERVERS[s].needs);
const missing = [
  ...new Set(
    Object.entries(needs)
      .filter(([probe]) => !onPath(probe))
      .map(([, pkg]) => pkg),
  ),
];
if (missing.length > 0) {
  console.error(`bench: missing Debian packages: ${missing.join(' ')}`);
  console.error(
    `  install them with: apt-get install -y ${missing.join(' ')}   (or run bash scripts/system-deps.sh as root)`,
  );
  process.exit(1);
}

// --- the machine ----------------------------------------------------------------------------------------
function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  const versions = { node: process.version };
  for (const s of order) if (!SERVERS[s].variantOf) versions[s] = SERVERS[s].version(repoRoot);
  versions.wrk = run('wrk', ['--version'], { allowFail: true }).stdout.split(' ').slice(0, 2).join(' ');
  versions.curl = run('curl', ['--version']).stdout.split(' ').slice(0, 2).join(' ');
  return {
    nproc: os.availableParallelism(),
    cpu: model,
    memGiB: +(os.totalmem() / 1024 ** 3).toFixed(1),
    kernel: os.release(),
    versions,
  };
}

/**
 * File creation in the run's folder, waited for when slow: after many files were removed on this file system in
 * the last minutes, creates there are slowed for every server (see probeCreates). A full run waits up to six
 * minutes for that to pass; a quick run only says so.
 */
async function settledCreates() {
  const waitUntil = Date.now() + (opts.quick ? 0 : 6 * 60_000);
  for (let i = 1; ; i++) {
    const us = w.probeCreates(tmpRoot, `create-probe-${i}`);
    log(`file creates in ${tmpRoot}: ${num(us)} µs each`);
    if (us <= SLOW_CREATE_US) return us;
    if (Date.now() >= waitUntil) {
      log(
        'warning: creates are slow here, most likely after many files were removed on this file system in the ' +
          'last minutes (see e2e/bench/README.md); the small uploads will be slowed for every server',
      );
      return us;
    }
    log('waiting for that to pass (recently removed files)');
    await sleep(20_000);
  }
}

// --- the run --------------------------------------------------------------------------------------------
const startedAt = new Date();
const env = machine();
const loadStart = os.loadavg();
const tmpRoot = mkdtempSync(path.join(os.tmpdir(), 'baluhost-bench-'));
chmodSync(tmpRoot, 0o755); // Apache's and nginx's workers (www-data when run as root) walk into it
let current = null; // the server running now
let exitCode = 0;

async function cleanup() {
  if (current) {
    const left = await current.group.stop();
    if (left.length > 0) console.error(`bench: processes left behind: ${left.join(' ')}`);
    current = null;
  }
  rmSync(tmpRoot, { recursive: true, force: true });
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    console.error(`bench: ${sig}, stopping`);
    // proc.mjs's exit handler SIGKILLs every process group still alive.
    rmSync(tmpRoot, { recursive: true, force: true });
    process.exit(130);
  });
}

// The whole run is bounded: quick mode must stay well inside CI's budget.
const budgetMs = (opts.quick ? 10 : 180) * 60_000 * (cfg.repeats / (opts.quick ? 1 : 3));
const watchdog = setTimeout(() => {
  console.error(`bench: over the ${budgetMs / 60_000} min budget, giving up`);
  rmSync(tmpRoot, { recursive: true, force: true });
  process.exit(1);
}, budgetMs);

function log(msg) {
  const s = ((Date.now() - startedAt.getTime()) / 1000).toFixed(0).padStart(4);
  console.log(`[${s}s] ${msg}`);
}

const user = 'bench';
const pass = 'bench-password-1';
const small = randomBytes(4096);
const bigFile = path.join(tmpRoot, 'big.bin');
const runs = Object.fromEntries(order.map((s) => [s, []]));
/** Above this many µs per file creation, something other than the servers slows the small uploads. */
const SLOW_CREATE_US = 30;
let startCreates = null;
const errors = [];

async function session(name, repeat) {
  const dir = path.join(tmpRoot, `${name}-${repeat}`);
  mkdirSync(dir);
  const port = await freePort();
  const cpuProfDir = name === 'baluhost' && opts['cpu-prof'] ? path.resolve(opts['cpu-prof']) : undefined;
  if (cpuProfDir) mkdirSync(cpuProfDir, { recursive: true });
  const createUs = w.probeCreates(dir);
  const t0 = Date.now();
  const h = await SERVERS[name].start({ dir, port, user, pass, repoRoot, cpuProfDir });
  current = h;
  const m = { create_us: createUs, startup_ms: Date.now() - t0, start_rss_MiB: groupRssMiB(h.group.pgid) };
  // Every server rests the same time before it is measured: a NAS is at rest most of the time, and a Node
  // server's memory right after start still holds start-up garbage (BaluHost collects it five seconds later).
  await sleep(cfg.settleSeconds * 1000);
  m.idle_rss_MiB = groupRssMiB(h.group.pgid);
  const label = SERVERS[name].label;
  // A variant of a server runs only the workloads it is there for.
  const only = SERVERS[name].workloads;
  const doing = (x) => workloads.has(x) && (!only || only.includes(x));
  let left = [];
  const say = (what) => log(`r${repeat}/${cfg.repeats} ${label}: ${what}`);
  try {
    await w.putSmall(h, 'small.bin', small);
    if (doing('big')) {
      const bigName = 'big.bin';
      Object.assign(m, await w.bigPut(h, cfg, bigFile, bigName));
      say(`${sizeText(cfg.bigBytes)} PUT ${num(m.put_MBps)} MB/s, peak RSS ${num(m.put_rss_MiB)} MiB`);
      Object.assign(m, await w.bigGet(h, cfg, bigName));
      say(`${sizeText(cfg.bigBytes)} GET ${num(m.get_MBps)} MB/s, peak RSS ${num(m.get_rss_MiB)} MiB`);
      if (doing('range')) {
        Object.assign(m, await w.rangedGet(h, cfg, bigName));
        say(`ranged 1 MiB GET ${num(m.range_ms)} ms`);
      }
      await w.remove(h, bigName);
    }
    if (doing('puts')) {
      m.put4k_seq_rps = await w.smallPuts(h, cfg, small, 'puts-seq', 1);
      m.put4k_c16_rps = await w.smallPuts(h, cfg, small, 'puts-c16', 16);
      say(
        `4 KiB PUT ${num(m.put4k_seq_rps)} req/s sequential, ${num(m.put4k_c16_rps)} req/s 16 concurrent ` +
          `(file creates before start: ${num(m.create_us)} µs)`,
      );
    }
    if (doing('propfind')) {
      await w.makeManyFiles(h, cfg, 'many');
      Object.assign(m, await w.propfind(h, cfg, 'many', 'small.bin'));
      say(
        `PROPFIND ${cfg.propfindFiles} files ${num(m.propfind_ms)} ms (first ${num(m.propfind_first_ms)} ms), ` +
          `slowest GET meanwhile ${num(m.propfind_get_max_ms)} ms of ${m.propfind_get_count}`,
      );
    }
    if (doing('wrk')) {
      const r = await w.wrk(cfg, `${h.davBase}small.bin`, h.auth);
      m.get4k_rps = r.rps;
      m.get4k_p50_ms = r.p50_ms;
      m.get4k_p99_ms = r.p99_ms;
      m.get4k_socket_errors = r.socketErrors;
      say(`4 KiB GET (wrk) ${num(r.rps)} req/s, p99 ${num(r.p99_ms)} ms`);
    }
    if (doing('static') && h.staticBase) {
      w.writeStatic(h, 'small.bin', small);
      const r = await w.wrk(cfg, `${h.staticBase}small.bin`, null);
      m.static_rps = r.rps;
      m.static_p99_ms = r.p99_ms;
      say(`4 KiB static GET, no auth (wrk) ${num(r.rps)} req/s, p99 ${num(r.p99_ms)} ms`);
    }
  } finally {
    left = await h.group.stop();
    current = null;
    if (left.length > 0) console.error(`bench: ${label}: processes left after stop: ${left.join(' ')}`);
    const { code, signal } = await h.group.exited;
    m.exit = code ?? signal;
    // The folder stays until the run ends (cleanup): removing thousands of files here would slow the next
    // server's creates (see probeCreates).
  }
  if (left.length > 0) throw new Error(`${label}: processes left after stop: ${left.join(' ')}`);
  return m;
}

try {
  // The big file and its copy on the server, and every session's folder (kept until the end: about 60 MiB each).
  const need =
    (workloads.has('big') ? cfg.bigBytes * 2 : 0) + 512 * MiB + order.length * cfg.repeats * 64 * MiB;
  const fsInfo = statfsSync(tmpRoot);
  const free = fsInfo.bavail * fsInfo.bsize;
  if (free < need) throw new Error(`${tmpRoot} has ${sizeText(free)} free; this run needs ${sizeText(need)}`);
  if (workloads.has('big')) {
    // 1 MiB of random bytes, repeated: incompressible enough, and quick to write.
    const block = randomBytes(MiB);
    const fd = openSync(bigFile, 'w');
    try {
      for (let i = 0; i < cfg.bigBytes / MiB; i++) writeSync(fd, block);
    } finally {
      closeSync(fd);
    }
  }
  log(
    `${opts.quick ? 'quick' : 'full'} run: ${order.join(', ')}; ${cfg.repeats} repeat(s); ` +
      `${env.nproc} cores, load ${loadStart.map((l) => l.toFixed(2)).join(' ')}`,
  );
  if (workloads.has('puts') || workloads.has('propfind')) {
    // The first server measured must not pay for the warm-up of this process's own client (lib/client-warmup.mjs).
    const t0 = Date.now();
    await warmClient(small, cfg.smallPuts);
    log(`client warmed up against a sink (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  }
  startCreates = await settledCreates();
  // Repeats interleave the servers, so a burst of load elsewhere on the machine hits all of them alike.
  for (let r = 1; r <= cfg.repeats; r++) {
    for (const s of order) {
      try {
        runs[s].push({ repeat: r, ...(await session(s, r)) });
      } catch (err) {
        exitCode = 1;
        errors.push({ server: s, repeat: r, error: err.message });
        runs[s].push({ repeat: r, error: err.message });
        log(`r${r}/${cfg.repeats} ${SERVERS[s].label}: FAILED: ${err.message}`);
      }
    }
  }
} catch (err) {
  exitCode = 1;
  errors.push({ error: err.message });
  console.error(`bench: ${err.message}`);
} finally {
  await cleanup();
  clearTimeout(watchdog);
}

// --- report ---------------------------------------------------------------------------------------------
const keys = [
  ...metrics(cfg).map((m) => m.key),
  'get4k_p50_ms',
  'static_rps',
  'static_p99_ms',
  'startup_ms',
  'propfind_get_count',
  'create_us',
];
const medians = {};
for (const s of order) {
  medians[s] = {};
  for (const k of keys) {
    const v = w.median(runs[s].map((x) => x[k]));
    if (v !== null) medians[s][k] = v;
  }
}
const labels = Object.fromEntries(order.map((s) => [s, SERVERS[s].label]));
const columns = order.filter((s) => !SERVERS[s].variantOf);
const variants = order.filter((s) => SERVERS[s].variantOf);
const table = [
  markdownTable(cfg, columns, labels, medians),
  ...variants.map((v) => variantLine(cfg, v, labels, medians, SERVERS[v].note)),
].join('\n');
const loadEnd = os.loadavg();

/** How fast files were created where each server was about to run (see probeCreates). */
function createsLine() {
  const each = order
    .filter((s) => medians[s].create_us !== undefined)
    .map((s) => `${labels[s]} ${num(medians[s].create_us)}`);
  return (
    `File creates in each server's folder just before it started, µs each (median of 100, then of the repeats): ` +
    `${each.join(', ')}; at the start of the run ${startCreates === null ? '–' : num(startCreates)}.`
  );
}
const stamp = startedAt.toISOString().slice(0, 16).replace(/:/g, '').replace('T', '-');
const base = `${opts.quick ? 'quick-' : ''}${stamp}`;
const md = [
  `# BaluHost WebDAV benchmark, ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC${opts.quick ? ' (quick)' : ''}`,
  '',
  `Machine: ${env.nproc} cores (${env.cpu}), ${env.memGiB} GiB RAM, Linux ${env.kernel}; load average ` +
    `${loadStart.map((l) => l.toFixed(2)).join(' ')} at start, ${loadEnd.map((l) => l.toFixed(2)).join(' ')} at end.`,
  `Versions: ${Object.values(env.versions).join('; ')}.`,
  `Medians of ${cfg.repeats} repeat(s); client and servers on the same machine; ratios are BaluHost ÷ peer.`,
  '',
  table,
  '',
  createsLine(),
  '',
  ...(errors.length > 0
    ? ['Errors:', '', ...errors.map((e) => `- ${e.server ?? ''} r${e.repeat ?? ''}: ${e.error}`), '']
    : []),
].join('\n');

console.log(`\n${md}`);
mkdirSync(opts.out, { recursive: true });
writeFileSync(
  path.join(opts.out, `${base}.json`),
  JSON.stringify(
    {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      quick: opts.quick,
      config: cfg,
      servers: order,
      workloads: [...workloads],
      machine: env,
      load: { start: loadStart, end: loadEnd },
      startCreates_us: startCreates,
      medians,
      runs,
      errors,
    },
    null,
    2,
  ) + '\n',
);
writeFileSync(path.join(opts.out, `${base}.md`), md);
console.log(`\nwrote ${path.relative(repoRoot, path.join(opts.out, base))}.{json,md}`);
if (exitCode !== 0) console.error(`bench: ${errors.length} failure(s)`);
process.exit(exitCode);
