// Sizes libuv's thread pool, where node runs file-system calls (and the flushing write of every upload), unless
// UV_THREADPOOL_SIZE is set already. libuv reads the variable once, when the pool first gets work, and an ES
// module entry point has given it work by the time its first line runs (the loader reads files through it): the
// `baluhost` entry point is CommonJS (server/bin/package.json) and requires this before anything else.
//
// With the default of 4 threads, 16 concurrent small uploads queue for the pool: each holds a thread for the
// 0.2-0.5 ms of its O_DSYNC write, and the next upload's create waits behind them. 4 KiB PUTs at 16 at once,
// servers side by side in interleaved rounds: 32 threads 4,625 and 4,880 req/s against 4,196 and 4,422 with 4
// (16 threads: 4,484 and 4,659). Idle threads wait on a condition variable; each costs a stack's touched pages.
'use strict';

const POOL_THREADS = '32';

process.env.UV_THREADPOOL_SIZE ??= POOL_THREADS;

module.exports = { POOL_THREADS };
