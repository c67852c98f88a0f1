// Child processes for the benchmark: each server runs in a process group of its own, so stopping it (or the
// harness failing) takes every worker with it; and the resident memory of such a group, sampled from /proc.
import { spawn, spawnSync } from 'node:child_process';
import { openSync, closeSync, readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { setInterval, clearInterval } from 'node:timers';

/** Process groups started and not yet reaped: the exit handler kills whatever is left. */
const live = new Set();

process.on('exit', () => {
  for (const pgid of live) killGroup(pgid, 'SIGKILL');
});

/** Sends a signal to a whole process group; a group that is already gone is fine. */
export function killGroup(pgid, signal) {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** The pids whose process group is `pgid` (the server and every worker it forked). */
export function groupPids(pgid) {
  const out = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid) out.push(Number(name));
  }
  return out;
}

function rssKiB(pid) {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Resident memory of a process group right now, in MiB (the sum of VmRSS over its processes). */
export function groupRssMiB(pgid) {
  let kib = 0;
  for (const pid of groupPids(pgid)) kib += rssKiB(pid);
  return kib / 1024;
}

/**
 * Samples the group's summed VmRSS every `intervalMs` (re-listing its processes every ten samples, since
 * Apache and nginx fork workers) until stop(), which returns the peak in MiB.
 */
export function startRssSampler(pgid, intervalMs = 50) {
  let pids = groupPids(pgid);
  let peak = 0;
  let ticks = 0;
  const sample = () => {
    if (++ticks % 10 === 0) pids = groupPids(pgid);
    let kib = 0;
    for (const pid of pids) kib += rssKiB(pid);
    if (kib > peak) peak = kib;
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      pids = groupPids(pgid);
      sample();
      return peak / 1024;
    },
  };
}

/**
 * Starts a command detached (its own process group), stdout and stderr into `logFile`.
 * Returns { pid, pgid, exited: Promise<{code, signal}>, hasExited(), stop() }.
 */
export function startGroup(cmd, args, { cwd, env, logFile }) {
  const fd = openSync(logFile, 'a');
  let child;
  try {
    child = spawn(cmd, args, { cwd, env, detached: true, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  const pgid = child.pid;
  if (pgid === undefined) throw new Error(`cannot start ${cmd}`);
  live.add(pgid);
  let done = false;
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      done = true;
      resolve({ code, signal });
    });
    child.on('error', (err) => {
      done = true;
      resolve({ code: -1, signal: null, error: err });
    });
  });
  return {
    pid: pgid,
    pgid,
    exited,
    hasExited: () => done,
    /** SIGTERM to the group, SIGKILL to whatever is left after `graceMs`; resolves once nothing of it remains. */
    async stop(graceMs = 10_000) {
      killGroup(pgid, 'SIGTERM');
      const deadline = Date.now() + graceMs;
      while (Date.now() < deadline && (!done || groupPids(pgid).length > 0)) await sleep(50);
      if (!done || groupPids(pgid).length > 0) {
        killGroup(pgid, 'SIGKILL');
        const hard = Date.now() + 5_000;
        while (Date.now() < hard && groupPids(pgid).length > 0) await sleep(50);
      }
      await Promise.race([exited, sleep(1_000)]);
      const left = groupPids(pgid);
      if (left.length === 0) live.delete(pgid);
      return left;
    },
  };
}

/** Runs a command to completion (bounded by `timeoutMs`); throws with its output when it fails. */
export function run(cmd, args, { timeoutMs = 60_000, input, cwd, allowFail = false } = {}) {
  const r = spawnSync(cmd, args, { cwd, input, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0 && !allowFail) {
    throw new Error(
      `${cmd} ${args.join(' ')} exited ${r.status ?? r.signal}: ${(r.stderr || r.stdout).trim()}`,
    );
  }
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a command asynchronously (so the harness can sample memory meanwhile), bounded by `timeoutMs`. */
export function runAsync(cmd, args, { timeoutMs = 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0) {
        reject(new Error(`${cmd} exited ${code ?? signal}: ${stderr.trim() || stdout.trim()}`));
      } else resolve({ stdout, stderr });
    });
  });
}
