// The workloads, run the same way against every server. Each returns plain numbers and throws on any
// unexpected status, short body or tool failure: a benchmark that silently measures errors is worse than none.
import { closeSync, constants as fsConstants, mkdirSync, openSync, writeFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Buffer } from 'node:buffer';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { run, runAsync, startRssSampler } from './proc.mjs';
import { request, expectStatus, keepAliveAgent } from './http.mjs';
import { chownTree } from './servers.mjs';

const MiB = 1024 * 1024;
const MB = 1e6;

export function median(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/**
 * Microseconds per file creation in `dir`, the median of 100 (empty files in `dir`/`name`, kept).
 *
 * On ext4 without a journal a new inode is not given a number freed in the last minute (six while its inode table
 * block is dirty): the kernel's `recently_deleted()` reads every such inode of the block group before it picks
 * one. After a folder of thousands of files was removed, each create in that group costs up to about 0.6 ms
 * instead of 10-20 µs, whatever the server. The run keeps every session's folder until it ends, and this figure
 * shows what each server's folder was like when it started.
 */
export function probeCreates(dir, name = 'create-probe') {
  const probe = path.join(dir, name);
  mkdirSync(probe);
  const flags = fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL;
  const times = [];
  for (let i = 0; i < 100; i++) {
    const t0 = performance.now();
    closeSync(openSync(path.join(probe, `p${i}`), flags, 0o644));
    times.push((performance.now() - t0) * 1000);
  }
  return median(times);
}

function parseCurl(out, what) {
  const [code, time, size] = out.trim().split(' ');
  return { status: Number(code), seconds: Number(time), bytes: Number(size), what };
}

/** PUT of the big file with curl (streamed from disk, no Expect: 100-continue), with the server's peak RSS. */
export async function bigPut(h, cfg, bigFile, name) {
  run('sync', [], { timeoutMs: 300_000 }); // flush earlier writes so they do not land inside this one
  const url = `${h.davBase}${name}`;
  const sampler = startRssSampler(h.group.pgid);
  let out;
  let rss = 0;
  try {
    out = await runAsync(
      'curl',
      [
        '-sS',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code} %{time_total} %{size_upload}',
        '-H',
        'Expect:',
        '-H',
        `Authorization: ${h.auth}`,
        '-T',
        bigFile,
        '--max-time',
        '900',
        url,
      ],
      { timeoutMs: 960_000 },
    );
  } finally {
    rss = sampler.stop();
  }
  const r = parseCurl(out.stdout, 'PUT');
  if (![200, 201, 204].includes(r.status)) throw new Error(`PUT ${url}: HTTP ${r.status}`);
  if (r.bytes !== cfg.bigBytes) throw new Error(`PUT ${url}: sent ${r.bytes} of ${cfg.bigBytes} bytes`);
  const stored = statSync(path.join(h.diskRoot, name)).size;
  if (stored !== cfg.bigBytes)
    throw new Error(`PUT ${url}: the server stored ${stored} of ${cfg.bigBytes} bytes`);
  return { put_MBps: cfg.bigBytes / MB / r.seconds, put_rss_MiB: rss };
}

/** GET of the big file with curl into /dev/null, with the server's peak RSS. */
export async function bigGet(h, cfg, name) {
  const url = `${h.davBase}${name}`;
  const sampler = startRssSampler(h.group.pgid);
  let out;
  let rss = 0;
  try {
    out = await runAsync(
      'curl',
      [
        '-sS',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code} %{time_total} %{size_download}',
        '-H',
        `Authorization: ${h.auth}`,
        '--max-time',
        '900',
        url,
      ],
      { timeoutMs: 960_000 },
    );
  } finally {
    rss = sampler.stop();
  }
  const r = parseCurl(out.stdout, 'GET');
  if (r.status !== 200) throw new Error(`GET ${url}: HTTP ${r.status}`);
  if (r.bytes !== cfg.bigBytes) throw new Error(`GET ${url}: received ${r.bytes} of ${cfg.bigBytes} bytes`);
  return { get_MBps: cfg.bigBytes / MB / r.seconds, get_rss_MiB: rss };
}

/** 1 MiB at offset size - 1 MiB, over a warm keep-alive connection: the median of five. */
export async function rangedGet(h, cfg, name) {
  const url = `${h.davBase}${name}`;
  const agent = keepAliveAgent(1);
  try {
    const start = cfg.bigBytes - MiB;
    const headers = { Range: `bytes=${start}-${cfg.bigBytes - 1}` };
    await expectStatus([206], url, { agent, auth: h.auth, headers: { Range: 'bytes=0-0' } });
    const times = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const r = await expectStatus([206], url, { agent, auth: h.auth, headers, timeoutMs: 120_000 });
      times.push(performance.now() - t0);
      if (r.bytes !== MiB) throw new Error(`ranged GET ${url}: ${r.bytes} bytes, expected ${MiB}`);
    }
    return { range_ms: median(times) };
  } finally {
    agent.destroy();
  }
}

export async function remove(h, name) {
  await expectStatus([200, 204], `${h.davBase}${name}`, {
    method: 'DELETE',
    auth: h.auth,
    timeoutMs: 120_000,
  });
}

/** `n` PUTs of the 4 KiB payload into a new collection, `concurrency` at a time over keep-alive sockets. */
export async function smallPuts(h, cfg, payload, collection, concurrency) {
  await expectStatus([201], `${h.davBase}${collection}/`, { method: 'MKCOL', auth: h.auth });
  const agent = keepAliveAgent(concurrency);
  let next = 0;
  const worker = async () => {
    while (next < cfg.smallPuts) {
      const i = next++;
      const url = `${h.davBase}${collection}/f${String(i).padStart(5, '0')}.bin`;
      const r = await request(url, { method: 'PUT', agent, auth: h.auth, body: payload, timeoutMs: 30_000 });
      if (![200, 201, 204].includes(r.status)) throw new Error(`PUT ${url}: HTTP ${r.status}`);
    }
  };
  try {
    const t0 = performance.now();
    await Promise.all(Array.from({ length: concurrency }, worker));
    return (cfg.smallPuts / (performance.now() - t0)) * 1000;
  } finally {
    agent.destroy();
  }
}

/** The PROPFIND folder: `count` small files written straight into the server's directory. */
export async function makeManyFiles(h, cfg, folder) {
  await expectStatus([201], `${h.davBase}${folder}/`, { method: 'MKCOL', auth: h.auth });
  const dir = path.join(h.diskRoot, folder);
  mkdirSync(dir, { recursive: true });
  const body = 'x'.repeat(1000) + '\n';
  for (let i = 0; i < cfg.propfindFiles; i++)
    writeFileSync(path.join(dir, `file-${String(i).padStart(5, '0')}.txt`), body);
  chownTree(h.owner, dir);
}

const PROPFIND_BODY = Buffer.from(
  '<?xml version="1.0" encoding="utf-8"?>\n<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>\n',
);

/** One PROPFIND Depth 1 of the folder: its time and the answer, checked later by checkMultistatus. */
async function propfindOnce(h, folder, agent) {
  const url = `${h.davBase}${folder}/`;
  const t0 = performance.now();
  const r = await request(url, {
    method: 'PROPFIND',
    agent,
    auth: h.auth,
    headers: { Depth: '1', 'Content-Type': 'application/xml; charset=utf-8' },
    body: PROPFIND_BODY,
    keepBody: true,
    timeoutMs: 300_000,
  });
  return { ms: performance.now() - t0, url, r };
}

/** Throws unless the answer is a 207 with one response per file and one for the folder. */
function checkMultistatus(cfg, { url, r }) {
  if (r.status !== 207) throw new Error(`PROPFIND ${url}: HTTP ${r.status}`);
  const responses = (r.body.toString('utf8').match(/<([A-Za-z][\w.-]*:)?response[\s>]/g) ?? []).length;
  if (responses < cfg.propfindFiles + 1) {
    throw new Error(`PROPFIND ${url}: ${responses} responses, expected ${cfg.propfindFiles + 1}`);
  }
}

/**
 * PROPFIND's time (median of 3, after a first one), and the slowest of the small GETs sent one after the other on
 * another connection while those three run. The answers are checked only once the GETs have stopped: counting the
 * responses of a 7 MB multistatus holds this process for about 50 ms, and a GET in flight then would be timed
 * with the client's own pause in it.
 */
export async function propfind(h, cfg, folder, smallName) {
  const agent = keepAliveAgent(1);
  const getAgent = keepAliveAgent(1);
  try {
    const first = await propfindOnce(h, folder, agent);
    checkMultistatus(cfg, first);
    const smallUrl = `${h.davBase}${smallName}`;
    await expectStatus([200], smallUrl, { agent: getAgent, auth: h.auth }); // open the GET connection
    const times = [];
    const getTimes = [];
    for (let i = 0; i < 3; i++) {
      let done = false;
      const getter = (async () => {
        for (let n = 0; !done && n < 1_000_000; n++) {
          const t0 = performance.now();
          const r = await request(smallUrl, { agent: getAgent, auth: h.auth, timeoutMs: 300_000 });
          getTimes.push(performance.now() - t0);
          if (r.status !== 200) throw new Error(`GET ${smallUrl} during PROPFIND: HTTP ${r.status}`);
        }
      })();
      await sleep(1); // let the first GET go out before the listing
      let answer;
      try {
        answer = await propfindOnce(h, folder, agent);
      } finally {
        done = true;
      }
      await getter;
      checkMultistatus(cfg, answer);
      times.push(answer.ms);
    }
    return {
      propfind_first_ms: first.ms,
      propfind_ms: median(times),
      propfind_get_max_ms: Math.max(...getTimes),
      propfind_get_count: getTimes.length,
    };
  } finally {
    agent.destroy();
    getAgent.destroy();
  }
}

function wrkDuration(text) {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  if (!m) return NaN;
  const k = { us: 0.001, ms: 1, s: 1000, m: 60_000 }[m[2]];
  return Number(m[1]) * k;
}

/** Parses wrk --latency output: requests/s, p50 and p99 in ms; throws on non-2xx answers or socket errors. */
export function parseWrk(out) {
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(out);
  const p50 = /^\s+50%\s+(\S+)/m.exec(out);
  const p99 = /^\s+99%\s+(\S+)/m.exec(out);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  if (!rps || !p99 || !p50) throw new Error(`unexpected wrk output:\n${out}`);
  if (non2xx) throw new Error(`wrk: ${non2xx[1]} answers were not 2xx/3xx`);
  const [connect, read, write, timeout] = sock ? sock.slice(1).map(Number) : [0, 0, 0, 0];
  // A read error is a keep-alive connection the server closed (Apache's MaxKeepAliveRequests 100): wrk
  // reconnects and the run is valid. Refused connections and timeouts are failures.
  if (connect > 0 || timeout > 0) throw new Error(`wrk: ${sock?.[0] ?? ''}`);
  return {
    rps: Number(rps[1]),
    p50_ms: wrkDuration(p50[1]),
    p99_ms: wrkDuration(p99[1]),
    socketErrors: { read, write },
  };
}

/** wrk: 2 threads, 32 connections, `cfg.wrkSeconds`, on one URL (with the Basic header when `auth`). */
export async function wrk(cfg, url, auth) {
  const args = ['-t2', '-c32', `-d${cfg.wrkSeconds}s`, '--latency', '--timeout', '10s'];
  if (auth) args.push('-H', `Authorization: ${auth}`);
  args.push(url);
  const { stdout } = await runAsync('wrk', args, { timeoutMs: (cfg.wrkSeconds + 60) * 1000 });
  return parseWrk(stdout);
}

/** Puts the 4 KiB file through WebDAV and checks it reads back unchanged. */
export async function putSmall(h, name, payload) {
  const url = `${h.davBase}${name}`;
  await expectStatus([200, 201, 204], url, { method: 'PUT', auth: h.auth, body: payload });
  const r = await expectStatus([200], url, { auth: h.auth, keepBody: true });
  if (!r.body.equals(payload)) throw new Error(`GET ${url}: the body differs from what was PUT`);
}

export function writeStatic(h, name, payload) {
  writeFileSync(path.join(h.staticRoot, name), payload);
  chownTree(h.owner, h.staticRoot);
}
