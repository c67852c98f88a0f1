// The flags every launcher gives node before server/bin/baluhost.js: `npm start` (scripts/start.mjs), the systemd
// unit's ExecStart (deploy/systemd/baluhost.service), the `baluhost` command's first line and the benchmark.
// node:cluster workers inherit them from the primary. server/test/deploy.test.ts checks that all of them agree.
//
// --initial-old-space-size=64: V8 never lowers its old-generation limit below 64 MiB. Node's HTTP parser hands a
// large upload over as one new 64 KiB buffer per socket read, and V8 counts that outside memory against the same
// limit. After a full collection of the server's small heap (27 MiB live; BaluHost runs one ten seconds after
// start, V8's memory reducer runs them when the server idles) the limit sat about 40 MiB higher, and a 1 GiB upload
// then paid 25-70 mark-compact collections, 20-30 ms of event loop each: 2.0-2.5 s per GiB instead of 1.0-1.5 s
// (curl over loopback, fsync on). The limit is a trigger, not an allocation: resident memory did not grow (idle
// 95-99 MiB and peak 113-123 MiB over three 1 GiB PUTs and GETs, with and without). Node does not accept the flag
// in NODE_OPTIONS, and V8 reads it only when the heap is made, hence on the command line.
export const NODE_FLAGS = ['--initial-old-space-size=64'];
