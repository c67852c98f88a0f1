// `npm start` and `npm run baluhost -- <command>`: build what is not built yet, then run the CLI.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { NODE_FLAGS } from '../server/bin/node-flags.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

// tsc -b only rebuilds what changed, and is quick when everything is up to date.
run(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-b']);
const ui = path.join(root, 'admin-ui');
if (
  existsSync(path.join(ui, 'package.json')) &&
  !existsSync(path.join(ui, 'dist/admin-ui/browser/index.html'))
) {
  run('npm', ['run', 'build', '--workspace', 'admin-ui']);
}

const child = spawn(
  process.execPath,
  [...NODE_FLAGS, path.join(root, 'server/bin/baluhost.js'), ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit' },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
