// The servers under test. Each starts on a 127.0.0.1 high port, in a fresh directory, with HTTP Basic auth,
// in a process group of its own; start() resolves once its WebDAV answers an authenticated PROPFIND.
import { chmodSync, existsSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { Buffer } from 'node:buffer';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { NODE_FLAGS } from '../../../server/bin/node-flags.mjs';
import threadPool from '../../../server/bin/thread-pool.cjs';
import { startGroup, run } from './proc.mjs';
import { basicAuth, request, expectStatus } from './http.mjs';

const APACHE = '/usr/sbin/apache2';
const NGINX = '/usr/sbin/nginx';
const APACHE_MODULES = '/usr/lib/apache2/modules';
const NGINX_DAV_EXT = '/usr/lib/nginx/modules/ngx_http_dav_ext_module.so';

/** A free TCP port on 127.0.0.1 (the kernel's pick; released before the server binds it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function tail(file, lines = 8) {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Polls `probe` until it returns true, the process exits, or `timeoutMs` passes (then throws with the log). */
async function waitFor(what, group, logFile, probe, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (group.hasExited()) {
      const { code, signal } = await group.exited;
      throw new Error(`${what} exited (${code ?? signal}) before it was ready:\n${tail(logFile)}`);
    }
    try {
      if (await probe()) return;
    } catch (err) {
      last = err.message;
    }
    await sleep(100);
  }
  throw new Error(`${what} not ready within ${timeoutMs} ms (${last}):\n${tail(logFile)}`);
}

function davReady(url, auth) {
  return async () => {
    const r = await request(url, { method: 'PROPFIND', auth, headers: { Depth: '0' }, timeoutMs: 5_000 });
    if (r.status !== 207) throw new Error(`PROPFIND ${url}: HTTP ${r.status}`);
    return true;
  };
}

/** Waits until a started server's WebDAV at `davBase` answers (see davReady); stops its group if it never does. */
async function untilDavReady(what, group, logFile, davBase, auth) {
  try {
    await waitFor(what, group, logFile, davReady(davBase, auth));
  } catch (err) {
    await group.stop();
    throw err;
  }
}

/** When the harness runs as root, Apache and nginx workers run as www-data and must own their trees. */
function workerUser() {
  if (process.getuid?.() !== 0) return null;
  const r = run('id', ['-u', 'www-data'], { allowFail: true });
  return r.status === 0 ? 'www-data' : 'nobody';
}

function chownTree(user, dir) {
  if (user)
    run('chown', ['-R', `${user}:${user === 'nobody' ? 'nogroup' : user}`, dir], { timeoutMs: 120_000 });
}

function htpasswd(file, user, pass) {
  // -m: MD5 (apr1), Apache's default; nginx reads the same file. Workers (www-data) must read it.
  run('htpasswd', ['-c', '-b', '-m', file, user, pass]);
  chmodSync(file, 0o644);
}

function strippedEnv() {
  // Only the harness's own BALUHOST_* settings apply (an unknown one stops BaluHost), and always SQLite.
  return Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('BALUHOST_') && k !== 'DATABASE_URL'),
  );
}

function baluhostServer(label, extraEnv) {
  return {
    label,
    needs: {},
    version(repoRoot) {
      const rev = run('git', ['rev-parse', '--short', 'HEAD'], {
        cwd: repoRoot,
        allowFail: true,
      }).stdout.trim();
      const dirty = run('git', ['status', '--porcelain', '--', 'server', 'protocols'], {
        cwd: repoRoot,
        allowFail: true,
      }).stdout.trim();
      return `BaluHost ${rev || '?'}${dirty ? ' (with uncommitted server/protocols changes)' : ''}`;
    },
    async start({ dir, port, user, pass, repoRoot, cpuProfDir }) {
      const main = path.join(repoRoot, 'server', 'dist', 'cli', 'main.js');
      if (!existsSync(main)) throw new Error(`BaluHost is not built (${main} is missing): run npm run build`);
      const data = path.join(dir, 'data');
      mkdirSync(data);
      const logFile = path.join(dir, 'baluhost.log');
      const adminPass = 'bench-admin-password';
      const env = {
        ...strippedEnv(),
        NODE_ENV: 'production',
        BALUHOST_DATA_DIR: data,
        PORT: String(port),
        BALUHOST_HOST: '127.0.0.1',
        BALUHOST_ADMIN_PASSWORD: adminPass,
        BALUHOST_LOG_LEVEL: 'warn',
        ...extraEnv,
      };
      // The node flags BaluHost's launchers (npm start, the systemd unit) give it.
      const nodeArgs = [...NODE_FLAGS, ...(cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : [])];
      const group = startGroup(process.execPath, [...nodeArgs, 'server/bin/baluhost.js', 'serve'], {
        cwd: repoRoot,
        env,
        logFile,
      });
      const origin = `http://127.0.0.1:${port}`;
      try {
        await waitFor('BaluHost', group, logFile, async () => {
          const r = await request(`${origin}/api/health`, { timeoutMs: 5_000 });
          return r.status === 200;
        });
        // The first admin is created just after the port opens: retry a few times (fewer than the
        // ten failures that would block the name).
        let token;
        for (let attempt = 0; attempt < 6 && !token; attempt++) {
          const r = await request(`${origin}/api/auth/login`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: Buffer.from(JSON.stringify({ username: 'admin', password: adminPass })),
            keepBody: true,
          });
          if (r.status === 200) token = JSON.parse(r.body.toString('utf8')).accessToken;
          else if (r.status === 401) await sleep(500);
          else throw new Error(`login: HTTP ${r.status} ${r.body.toString('utf8').slice(0, 200)}`);
        }
        if (!token) throw new Error('BaluHost: the admin could not log in');
        await expectStatus([201], `${origin}/api/users`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
          body: Buffer.from(JSON.stringify({ username: user, password: pass, role: 'user' })),
          keepBody: true,
        });
        const auth = basicAuth(user, pass);
        const davBase = `${origin}/dav/home/`;
        await waitFor('BaluHost WebDAV', group, logFile, davReady(davBase, auth), 10_000);
        return {
          group,
          logFile,
          davBase,
          auth,
          diskRoot: path.join(data, 'storage', 'homes', user),
          owner: null,
        };
      } catch (err) {
        await group.stop();
        throw err;
      }
    },
  };
}

/**
 * name -> { label, needs: {probe: debianPackage}, version(), start(ctx) }.
 * ctx: { dir, port, user, pass, repoRoot, cpuProfDir }. start() returns
 * { group, logFile, davBase, diskRoot, auth, owner, staticBase? } where diskRoot is the directory behind
 * davBase (files written there directly are served) and owner the user that must own files written there.
 */
export const SERVERS = {
  baluhost: baluhostServer('BaluHost', {}),
  // The same server flushing every upload before its answer (BALUHOST_FSYNC=always; by default only a file that
  // replaces another is flushed, and the workloads write new files): what that costs, in the same run (reported
  // under the table, not as a peer).
  'baluhost-fsync-always': {
    ...baluhostServer('BaluHost, BALUHOST_FSYNC=always', { BALUHOST_FSYNC: 'always' }),
    variantOf: 'baluhost',
    note: 'every upload flushed before its answer; the same run',
    workloads: ['big', 'puts'],
  },
  // The floor for small uploads flushed before the answer: a bare Node server doing only BaluHost's file-system
  // steps (lib/floor-server.mjs). Reported under the table, as a measuring stick.
  'node-floor': {
    label: 'A bare Node server',
    variantOf: 'baluhost',
    note:
      'e2e/bench/lib/floor-server.mjs: create with O_DSYNC, write, close, rename and nothing else, the floor for ' +
      'any Node server that flushes each upload; the same run',
    workloads: ['puts'],
    needs: {},
    async start({ dir, port, user, pass }) {
      const root = path.join(dir, 'floor');
      const logFile = path.join(dir, 'floor.log');
      const script = fileURLToPath(new URL('floor-server.mjs', import.meta.url));
      const group = startGroup(process.execPath, [script, root, String(port), user, pass], {
        cwd: dir,
        // The thread pool BaluHost's entry point gives itself (server/bin/thread-pool.cjs), for a like-for-like floor.
        env: { UV_THREADPOOL_SIZE: threadPool.POOL_THREADS, ...strippedEnv() },
        logFile,
      });
      const auth = basicAuth(user, pass);
      const davBase = `http://127.0.0.1:${port}/dav/`;
      await untilDavReady('the bare Node server', group, logFile, davBase, auth);
      return { group, logFile, davBase, auth, diskRoot: path.join(root, 'files'), owner: null };
    },
  },
  apache: {
    label: 'Apache',
    needs: { [APACHE]: 'apache2', htpasswd: 'apache2-utils' },
    version() {
      return run(APACHE, ['-v']).stdout.split('\n')[0].replace('Server version: ', '').trim();
    },
    async start({ dir, port, user, pass }) {
      const root = path.join(dir, 'dav');
      const lock = path.join(dir, 'lock');
      const runDir = path.join(dir, 'run');
      for (const d of [root, lock, runDir]) mkdirSync(d);
      const owner = workerUser();
      chownTree(owner, root);
      chownTree(owner, lock);
      const pw = path.join(dir, 'htpasswd');
      htpasswd(pw, user, pass);
      const logFile = path.join(dir, 'apache.log');
      const conf = path.join(dir, 'apache2.conf');
      const mod = (name, file) => `LoadModule ${name}_module ${APACHE_MODULES}/mod_${file ?? name}.so`;
      writeFileSync(
        conf,
        [
          `ServerRoot "${dir}"`,
          `DefaultRuntimeDir "${runDir}"`,
          `PidFile "${path.join(runDir, 'apache2.pid')}"`,
          `ErrorLog "${path.join(dir, 'error.log')}"`,
          'LogLevel warn',
          `Listen 127.0.0.1:${port}`,
          'ServerName 127.0.0.1',
          ...(owner ? [`User ${owner}`, `Group ${owner === 'nobody' ? 'nogroup' : owner}`] : []),
          mod('mpm_event'),
          mod('authn_core'),
          mod('authn_file'),
          mod('authz_core'),
          mod('authz_user'),
          mod('auth_basic'),
          mod('alias'),
          mod('dav'),
          mod('dav_fs'),
          // Debian's defaults (apache2.conf, mods-available/mpm_event.conf).
          'Timeout 300',
          'KeepAlive On',
          'MaxKeepAliveRequests 100',
          'KeepAliveTimeout 5',
          'StartServers 2',
          'MinSpareThreads 25',
          'MaxSpareThreads 75',
          'ThreadLimit 64',
          'ThreadsPerChild 25',
          'MaxRequestWorkers 150',
          'MaxConnectionsPerChild 0',
          `DavLockDB "${path.join(lock, 'DavLock')}"`,
          '<Directory />',
          '  AllowOverride None',
          '  Require all denied',
          '</Directory>',
          `Alias /dav "${root}"`,
          `<Directory "${root}">`,
          '  Dav On',
          '  Options None',
          '  AllowOverride None',
          '  AuthType Basic',
          '  AuthName "bench"',
          '  AuthBasicProvider file',
          `  AuthUserFile "${pw}"`,
          '  Require valid-user',
          '</Directory>',
          '',
        ].join('\n'),
      );
      run(APACHE, ['-t', '-f', conf]);
      const group = startGroup(APACHE, ['-f', conf, '-D', 'FOREGROUND'], {
        cwd: dir,
        env: process.env,
        logFile,
      });
      const auth = basicAuth(user, pass);
      const davBase = `http://127.0.0.1:${port}/dav/`;
      await untilDavReady('Apache', group, path.join(dir, 'error.log'), davBase, auth);
      return { group, logFile, davBase, auth, diskRoot: root, owner };
    },
  },

  nginx: {
    label: 'nginx',
    needs: { [NGINX]: 'nginx-extras', htpasswd: 'apache2-utils' },
    version() {
      return run(NGINX, ['-v']).stderr.trim().replace('nginx version: ', '');
    },
    async start({ dir, port, user, pass }) {
      const root = path.join(dir, 'dav');
      const stat = path.join(dir, 'static');
      const temp = path.join(dir, 'temp');
      for (const d of [root, stat, temp]) mkdirSync(d);
      const owner = workerUser();
      chownTree(owner, root);
      chownTree(owner, temp);
      const pw = path.join(dir, 'htpasswd');
      htpasswd(pw, user, pass);
      const logFile = path.join(dir, 'nginx.log');
      const errorLog = path.join(dir, 'error.log');
      const conf = path.join(dir, 'nginx.conf');
      writeFileSync(
        conf,
        [
          `load_module ${NGINX_DAV_EXT};`,
          'daemon off;',
          'master_process on;',
          // Debian's nginx.conf: worker_processes auto, worker_connections 768, sendfile on.
          'worker_processes auto;',
          ...(owner ? [`user ${owner};`] : []),
          `pid ${path.join(dir, 'nginx.pid')};`,
          `error_log ${errorLog} warn;`,
          'events { worker_connections 768; }',
          'http {',
          '  sendfile on;',
          '  tcp_nopush on;',
          '  types_hash_max_size 2048;',
          '  default_type application/octet-stream;',
          '  access_log off;',
          '  client_max_body_size 0;',
          `  client_body_temp_path ${path.join(temp, 'body')};`,
          `  proxy_temp_path ${path.join(temp, 'proxy')};`,
          `  fastcgi_temp_path ${path.join(temp, 'fastcgi')};`,
          `  uwsgi_temp_path ${path.join(temp, 'uwsgi')};`,
          `  scgi_temp_path ${path.join(temp, 'scgi')};`,
          '  server {',
          `    listen 127.0.0.1:${port};`,
          '    location /dav/ {',
          `      alias ${root}/;`,
          '      auth_basic "bench";',
          `      auth_basic_user_file ${pw};`,
          '      dav_methods PUT DELETE MKCOL COPY MOVE;',
          '      dav_ext_methods PROPFIND OPTIONS;',
          '      dav_access user:rw group:rw all:r;',
          '      create_full_put_path on;',
          '    }',
          '    location /static/ {',
          `      alias ${stat}/;`,
          '    }',
          '  }',
          '}',
          '',
        ].join('\n'),
      );
      const base = ['-p', `${dir}/`, '-c', conf, '-e', errorLog];
      run(NGINX, [...base, '-t']);
      const group = startGroup(NGINX, base, { cwd: dir, env: process.env, logFile });
      const auth = basicAuth(user, pass);
      const davBase = `http://127.0.0.1:${port}/dav/`;
      await untilDavReady('nginx', group, errorLog, davBase, auth);
      return {
        group,
        logFile,
        davBase,
        auth,
        diskRoot: root,
        owner,
        staticBase: `http://127.0.0.1:${port}/static/`,
        staticRoot: stat,
      };
    },
  },

  rclone: {
    label: 'rclone',
    needs: { rclone: 'rclone' },
    version() {
      return run('rclone', ['version']).stdout.split('\n')[0].trim();
    },
    async start({ dir, port, user, pass }) {
      const root = path.join(dir, 'dav');
      mkdirSync(root);
      const rcloneConf = path.join(dir, 'rclone.conf');
      writeFileSync(rcloneConf, '');
      const logFile = path.join(dir, 'rclone.log');
      const args = [
        'serve',
        'webdav',
        '--config',
        rcloneConf,
        '--addr',
        `127.0.0.1:${port}`,
        '--user',
        user,
        '--pass',
        pass,
        '--baseurl',
        '/dav',
        '--log-level',
        'ERROR',
        root,
      ];
      const group = startGroup('rclone', args, { cwd: dir, env: process.env, logFile });
      const auth = basicAuth(user, pass);
      const davBase = `http://127.0.0.1:${port}/dav/`;
      await untilDavReady('rclone', group, logFile, davBase, auth);
      return { group, logFile, davBase, auth, diskRoot: root, owner: null };
    },
  },
};

/** Tools every run needs beside the servers' own. */
export const TOOLS = { curl: 'curl', wrk: 'wrk' };

export { chownTree };
