#!/usr/bin/env -S node --initial-old-space-size=64 --interrupt-budget=16384
// The `baluhost` command: runs the compiled CLI (npm start builds it when needed). CommonJS
// (server/bin/package.json), so that the thread pool is sized before anything uses it (thread-pool.cjs).
'use strict';
require('./thread-pool.cjs');

import('../dist/cli/main.js').catch((err) => {
  process.stderr.write(`baluhost: cannot start: ${err && err.message ? err.message : String(err)}\n`);
  process.stderr.write('Build it first: npm run build (npm start does this for you).\n');
  process.exit(1);
});
