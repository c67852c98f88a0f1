// Runs the node:test suites of every workspace (TypeScript through tsx, workspace packages from source),
// then the admin console's Karma suite (when admin-ui exists and the run is not filtered or --postgres).
// --postgres: the suites that touch the database again, on PostgreSQL (TEST_DATABASE_URL, default: the local one).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const postgres = args.includes('--postgres');
// --e2e: the suites in e2e/ that drive a running BaluHost with real clients (rclone, FUSE, cadaver, Chromium).
const e2e = args.includes('--e2e');
const only = args.filter((a) => !a.startsWith('--'));

function find(dir, out = []) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) find(full, out);
    else if (name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

const workspaces = ['drivers', 'protocols', 'migrations', 'server'];
let files = (
  e2e
    ? find(path.join(root, 'e2e')).filter((f) => !f.includes('/bench/'))
    : workspaces.flatMap((ws) => find(path.join(root, ws)))
).sort();
if (postgres) files = files.filter((f) => /\/(server|migrations)\/test\//.test(f));
if (only.length > 0) files = files.filter((f) => only.some((o) => f.includes(o)));

const env = { ...process.env };
if (postgres) env.TEST_DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/test';
console.log(`${e2e ? 'End-to-end' : postgres ? 'PostgreSQL' : 'SQLite'} run: ${files.length} test files`);
const r = spawnSync(
  process.execPath,
  [
    '--conditions=development',
    '--import',
    'tsx',
    '--test',
    '--test-reporter=spec',
    '--test-concurrency=2',
    // A test file that hangs fails, by name, after 10 minutes (each file runs in its own process, and the
    // timeout bounds that process) instead of holding the run, and CI, until it is killed.
    '--test-timeout=600000',
    ...files.map((f) => path.relative(root, f)),
  ],
  { cwd: root, stdio: 'inherit', env },
);
const nodeStatus = r.status ?? 1;

const runKarma =
  !postgres && !e2e && only.length === 0 && existsSync(path.join(root, 'admin-ui/package.json'));
const karmaStatus = runKarma ? await karma() : 0;
process.exit(nodeStatus !== 0 ? nodeStatus : karmaStatus);

/** `npm run test --workspace admin-ui`, echoed as it runs, then one `karma: N passed, N failed` line for CI. */
async function karma() {
  console.log('\nadmin-ui: Karma run');
  const child = spawn('npm', ['run', 'test', '--workspace', 'admin-ui'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  for (const [from, to] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ]) {
    from.on('data', (chunk) => {
      output += chunk.toString('utf8');
      to.write(chunk);
    });
  }
  const status = await new Promise((resolve) => {
    child.on('close', (code) => resolve(code ?? 1));
  });
  // Karma's summary: "TOTAL: 25 SUCCESS" or "TOTAL: 2 FAILED, 23 SUCCESS" (colours stripped).
  // eslint-disable-next-line no-control-regex
  const plain = output.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
  const total = [...plain.matchAll(/TOTAL: (?:(\d+) FAILED, )?(\d+) SUCCESS/g)].at(-1);
  let passed = 0;
  let failed = 0;
  if (total) {
    failed = Number(total[1] ?? 0);
    passed = Number(total[2]);
  } else if (status !== 0) {
    // No summary: the build or the browser failed before any test ran. Count the run as one failure.
    failed = 1;
    console.log('karma: no test summary (the build or the browser failed; see above)');
  }
  console.log(`karma: ${passed} passed, ${failed} failed`);
  return status !== 0 || failed > 0 ? status || 1 : 0;
}
