// The flags every launcher gives node before server/bin/baluhost.js: `npm start` (scripts/start.mjs), the systemd
// unit's ExecStart (deploy/systemd/baluhost.service), the `baluhost` command's first line and the benchmark.
// node:cluster workers inherit them from the primary. server/test/deploy.test.ts checks that all of them agree.
//
// --initial-old-space-size=64: V8 never lowers its old-generation limit below 64 MiB. Node's HTTP parser hands a
// large upload over as one new 64 KiB buffer per socket read, and V8 counts that outside memory against the same
// limit. After a full collection of the server's small heap (27 MiB live; BaluHost runs one five seconds after
// start, V8's memory reducer runs them when the server idles) the limit sat about 40 MiB higher, and a 1 GiB upload
// then paid 25-70 mark-compact collections, 20-30 ms of event loop each: 2.0-2.5 s per GiB instead of 1.0-1.5 s
// (curl over loopback, fsync on). The limit is a trigger, not an allocation: resident memory did not grow (idle
// 95-99 MiB and peak 113-123 MiB over three 1 GiB PUTs and GETs, with and without). Node does not accept the flag
// in NODE_OPTIONS, and V8 reads it only when the heap is made, hence on the command line.
//
// --interrupt-budget=16384: V8 considers a function for its optimizing compiler after it has run about a quarter as
// much bytecode as by default (67,584 bytes per tick in node 20's V8). V8's default suits a page that runs briefly;
// a server runs the same request path for weeks, and the default left a freshly started BaluHost interpreting it for
// its first several thousand requests (each inline-cache change restarts the count): 4 KiB PUTs cost 550-600 µs of
// CPU each over the first 2,000 after start, and reached 250 µs only after about 6,000. With a quarter of the
// budget, six fresh starts side by side with and without it: 2,174 against 1,755 sequential PUTs per second over
// the first 2,000 (median; higher in every pair), 4,667 against 4,189 with 16 at once. A budget of 8,192 or 4,096
// gained nothing more. Node refuses the flag in NODE_OPTIONS.
export const NODE_FLAGS = ['--initial-old-space-size=64', '--interrupt-budget=16384'];
