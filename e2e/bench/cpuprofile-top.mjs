#!/usr/bin/env node
// Summarises V8 .cpuprofile files (node --cpu-prof): the functions with the most self time, and the
// functions of this repository (or matching --filter) with the most inclusive time.
//   node e2e/bench/cpuprofile-top.mjs [--top 25] [--filter /server/dist/] FILE.cpuprofile...
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values: opts, positionals: files } = parseArgs({
  allowPositionals: true,
  options: {
    top: { type: 'string', default: '25' },
    filter: { type: 'string', default: '' },
  },
});
if (files.length === 0) {
  console.error('usage: cpuprofile-top.mjs [--top N] [--filter TEXT] FILE.cpuprofile...');
  process.exit(2);
}
const top = Number(opts.top);
const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

function short(url) {
  if (!url) return '';
  const u = url.replace(/^file:\/\//, '');
  return u.startsWith(repo) ? u.slice(repo.length + 1) : u;
}

const self = new Map();
const inclusive = new Map();
let total = 0;
let idle = 0;

for (const file of files) {
  const prof = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map();
  const parent = new Map();
  for (const n of prof.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const key = (n) => {
    const f = n.callFrame;
    return `${f.functionName || '(anonymous)'}  ${short(f.url)}:${f.lineNumber + 1}`;
  };
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = (prof.timeDeltas[i] ?? 0) / 1000; // µs -> ms
    const node = byId.get(prof.samples[i]);
    if (!node) continue;
    total += dt;
    const k = key(node);
    if (node.callFrame.functionName === '(idle)') idle += dt;
    self.set(k, (self.get(k) ?? 0) + dt);
    const seen = new Set();
    // Walk to the root, counting each function once per sample; bounded by the tree's depth.
    for (let id = node.id, steps = 0; id !== undefined && steps < 10_000; id = parent.get(id), steps++) {
      const kk = key(byId.get(id));
      if (seen.has(kk)) continue;
      seen.add(kk);
      inclusive.set(kk, (inclusive.get(kk) ?? 0) + dt);
    }
  }
}

const busy = total - idle;
const pct = (ms) => `${((ms / busy) * 100).toFixed(1).padStart(5)} %`;
console.log(`${files.length} profile(s): ${total.toFixed(0)} ms sampled, ${busy.toFixed(0)} ms not idle\n`);
console.log(`Self time (share of non-idle):`);
for (const [k, ms] of [...self]
  .filter(([k]) => !k.startsWith('(idle)'))
  .sort((a, b) => b[1] - a[1])
  .slice(0, top)) {
  console.log(`${pct(ms)} ${ms.toFixed(0).padStart(7)} ms  ${k}`);
}
const mine = (k) =>
  opts.filter
    ? k.includes(opts.filter)
    : /(server|protocols)\/(dist|src)\//.test(k) && !k.includes('node_modules');
console.log(`\nInclusive time, ${opts.filter ? `matching ${opts.filter}` : "this repository's code"}:`);
for (const [k, ms] of [...inclusive]
  .filter(([k]) => mine(k))
  .sort((a, b) => b[1] - a[1])
  .slice(0, top)) {
  console.log(`${pct(ms)} ${ms.toFixed(0).padStart(7)} ms  ${k}`);
}
