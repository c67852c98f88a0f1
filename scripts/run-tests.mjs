// Runs the node:test suites of every workspace (TypeScript through tsx, workspace packages from source).
// --postgres: the suites that touch the database again, on PostgreSQL (TEST_DATABASE_URL, default: the local one).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const postgres = args.includes('--postgres');
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
let files = workspaces.flatMap((ws) => find(path.join(root, ws))).sort();
if (postgres) files = files.filter((f) => /\/(server|migrations)\/test\//.test(f));
if (only.length > 0) files = files.filter((f) => only.some((o) => f.includes(o)));

const env = { ...process.env };
if (postgres) env.TEST_DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/test';
console.log(`${postgres ? 'PostgreSQL' : 'SQLite'} run: ${files.length} test files`);
const r = spawnSync(
  process.execPath,
  [
    '--conditions=development',
    '--import',
    'tsx',
    '--test',
    '--test-reporter=spec',
    '--test-concurrency=2',
    ...files.map((f) => path.relative(root, f)),
  ],
  { cwd: root, stdio: 'inherit', env },
);
process.exit(r.status ?? 1);
