import cluster from 'node:cluster';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError, CONFIG_VARIABLES, loadConfig, type Config } from '../config/index.js';
import { migrateLatest, migrateRollbackAll, openDatabase, type UserModel } from '../db/index.js';
import { createServices } from '../services/index.js';
import { generatePassword, type Principal } from '../auth/index.js';
import { isAppError } from '../errors/index.js';
import { startServer } from '../server.js';
import { runPrimary, runWorker } from '../cluster.js';
import { prepareLayout } from '../storage/layout.js';
import { generateSelfSigned, localNames } from '../tls.js';
import { VERSION } from '../version.js';
import { restoreBackup, writeBackup } from '../backup/index.js';
import { DEMO_PASSWORD, seedDemo } from '../operations/demo.js';
import { compactHeapAfterStart } from '../heap.js';

const CLI_PRINCIPAL: Principal = {
  userId: 0,
  username: 'cli',
  role: 'admin',
  groups: [],
  isAdmin: true,
  protocol: 'cli',
  address: null,
  reqId: null,
};

function envHelp(): string {
  const rows = Object.entries(CONFIG_VARIABLES).map(
    ([name, spec]) =>
      `  ${name.padEnd(30)} ${spec.doc}${spec.default !== undefined && spec.default !== '' ? ` (default: ${spec.default})` : ''}`,
  );
  return `\nEnvironment:\n${rows.join('\n')}\n  Secrets may also come from a file: <NAME>_FILE=/path.\n`;
}

async function withServices<T>(
  fn: (ctx: { config: Config; services: ReturnType<typeof createServices> }) => Promise<T>,
): Promise<T> {
  const config = loadConfig();
  const { db } = openDatabase(config);
  try {
    await migrateLatest(db, config);
    // The CLI signs no tokens; the services need a key all the same.
    const services = createServices(
      db,
      config,
      'cli-does-not-sign-tokens-'.padEnd(48, 'x'),
      await prepareLayout(config.dataDir),
    );
    return await fn({ config, services });
  } finally {
    await db.destroy();
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

async function findUser(services: ReturnType<typeof createServices>, username: string): Promise<UserModel> {
  const user = await services.users.findByUsername(username);
  if (!user) throw new Error(`No user named '${username}'.`);
  return user;
}

export function buildCli(): Command {
  const program = new Command('baluhost')
    .description('BaluHost: a self-hosted network storage server (WebDAV, SMB, admin console).')
    .version(VERSION)
    .showHelpAfterError()
    .addHelpText('after', envHelp());

  program
    .command('serve')
    .description('Serve the API, WebDAV and the console; migrates the database first.')
    .addHelpText('after', envHelp())
    .option('--demo', 'seed demo data first (an empty data dir only; see `baluhost demo`)')
    .option(
      '--workers <n>',
      'worker processes sharing the ports and the database (node:cluster); default BALUHOST_WORKERS, else 1',
      (value: string) => {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 1 || n > 64)
          throw new InvalidArgumentError('a whole number from 1 to 64');
        return n;
      },
    )
    .action(async (opts: { demo?: boolean; workers?: number }) => {
      const config = loadConfig();
      if (cluster.isWorker) {
        await runWorker(config).catch(exitOnStartFailure);
        return;
      }
      if (opts.demo) printDemo(await seedDemo(config));
      const workers = opts.workers ?? config.workers;
      if (workers > 1) {
        await runPrimary(config, workers);
        return;
      }
      const server = await startServer(config).catch(exitOnStartFailure);
      compactHeapAfterStart();
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        server.logger.info({ signal }, 'stopping');
        void server.close().then(() => process.exit(0));
      };
      process.on('SIGINT', () => {
        stop('SIGINT');
      });
      process.on('SIGTERM', () => {
        stop('SIGTERM');
      });
    });

  program
    .command('demo')
    .description(
      'Seed an empty data dir with a believable NAS (users alice, bob, carol; shares; files; history); refuses one with users.',
    )
    .action(async () => {
      printDemo(await seedDemo(loadConfig()));
    });

  program
    .command('migrate')
    .description('Apply pending database migrations and exit.')
    .option('--rollback-all', 'revert every migration (drops all BaluHost tables)')
    .action(async (opts: { rollbackAll?: boolean }) => {
      const config = loadConfig();
      const { db, info } = openDatabase(config);
      try {
        if (opts.rollbackAll) {
          await migrateRollbackAll(db);
          console.log(`Reverted every migration on ${info.client} (${info.location}).`);
        } else {
          const applied = await migrateLatest(db, config);
          console.log(applied.length > 0 ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
        }
      } finally {
        await db.destroy();
      }
    });

  program
    .command('backup')
    .description(
      'Save the database (every table) and <data dir>/keys to a gzipped JSON-lines file, mode 0600; not user files. ' +
        'The file holds secrets (token and two-factor keys, TLS keys, password hashes): keep it safe.',
    )
    .option('--out <file>', 'where to write (refuses to overwrite)')
    .action(async (opts: { out?: string }) => {
      const config = loadConfig();
      const { db, info } = openDatabase(config);
      try {
        await migrateLatest(db, config);
        const file = opts.out ?? `baluhost-backup-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl.gz`;
        const summary = await writeBackup(db, config.dataDir, file, VERSION);
        const rows = Object.values(summary.tables).reduce((a, b) => a + b, 0);
        console.log(
          `Wrote ${file}: ${Object.keys(summary.tables).length} tables, ${rows} rows from ${info.client}, ` +
            `keys: ${summary.keys.join(', ') || 'none'}.`,
        );
      } finally {
        await db.destroy();
      }
    });

  program
    .command('restore <file>')
    .description(
      'Put a backup into the configured database (SQLite or PostgreSQL, whichever made it) and <data dir>/keys. ' +
        'Stop BaluHost first. The database must hold no users unless --force.',
    )
    .option('--force', 'replace every row of a database that already has users')
    .action(async (file: string, opts: { force?: boolean }) => {
      const config = loadConfig();
      const { db, info } = openDatabase(config);
      try {
        await migrateLatest(db, config);
        const result = await restoreBackup(db, config.dataDir, file, { isForced: opts.force === true });
        const rows = Object.values(result.tables).reduce((a, b) => a + b, 0);
        console.log(
          `Restored ${file} (made ${result.header.createdAt} on ${result.header.source}) into ${info.client}: ` +
            `${rows} rows, keys: ${result.keys.join(', ') || 'none'}.`,
        );
      } finally {
        await db.destroy();
      }
    });

  program
    .command('tls')
    .description('TLS certificates for HTTPS.')
    .command('selfsigned')
    .description(
      'Generate a self-signed certificate for this host’s names and addresses into <data dir>/keys (needs openssl).',
    )
    .option('--name <dns...>', 'extra DNS names to include')
    .option('--ip <address...>', 'extra IP addresses to include')
    .action(async (opts: { name?: string[]; ip?: string[] }) => {
      const config = loadConfig();
      const names = localNames();
      const files = await generateSelfSigned(config.dataDir, {
        dns: [...names.dns, ...(opts.name ?? [])],
        ips: [...names.ips, ...(opts.ip ?? [])],
      });
      console.log(`Wrote ${files.cert} and ${files.key}.`);
      console.log(
        `Names: ${[...names.dns, ...(opts.name ?? [])].join(', ')}; addresses: ${[...names.ips, ...(opts.ip ?? [])].join(', ')}.`,
      );
      console.log(`Restart BaluHost: HTTPS is then served on port ${config.tlsPort}.`);
    });

  const user = program.command('user').description('Manage user accounts.');
  user
    .command('create <username>')
    .description(
      'Create a user; the password is read from stdin with --password-stdin, else generated and printed.',
    )
    .addOption(new Option('--role <role>', 'admin or user').choices(['admin', 'user']).default('user'))
    .option('--email <email>', 'email address')
    .option('--password-stdin', 'read the password from standard input')
    .action(
      async (username: string, opts: { role: 'admin' | 'user'; email?: string; passwordStdin?: boolean }) => {
        await withServices(async ({ services }) => {
          const password = opts.passwordStdin ? await readStdin() : generatePassword();
          const created = await services.users.create(CLI_PRINCIPAL, {
            username,
            password,
            role: opts.role,
            email: opts.email ?? null,
          });
          console.log(`Created ${created.role} '${created.username}' (id ${created.id}).`);
          if (!opts.passwordStdin) console.log(`Password (shown once): ${password}`);
        });
      },
    );
  user
    .command('list')
    .description('List users.')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      await withServices(async ({ services }) => {
        const { items } = await services.users.list(10_000, 0);
        if (opts.json) {
          console.log(JSON.stringify(items, null, 2));
          return;
        }
        for (const u of items) {
          console.log(
            `${String(u.id).padStart(5)}  ${u.username.padEnd(32)} ${u.role.padEnd(5)} ${u.disabled ? 'disabled' : 'active'}  ${u.groups.join(',')}`,
          );
        }
      });
    });
  user
    .command('reset-password <username>')
    .description(
      "Set a user's password (from stdin with --password-stdin, else generated and printed); their sessions end.",
    )
    .option('--password-stdin', 'read the password from standard input')
    .action(async (username: string, opts: { passwordStdin?: boolean }) => {
      await withServices(async ({ services }) => {
        const target = await findUser(services, username);
        const password = opts.passwordStdin ? await readStdin() : generatePassword();
        await services.users.resetPassword(CLI_PRINCIPAL, target.id, password);
        console.log(`Password of '${username}' set.`);
        if (!opts.passwordStdin) console.log(`New password (shown once): ${password}`);
      });
    });
  user
    .command('disable <username>')
    .description('Disable a user (their sessions end at once); --enable turns them back on.')
    .option('--enable', 'enable instead')
    .action(async (username: string, opts: { enable?: boolean }) => {
      await withServices(async ({ services }) => {
        const target = await findUser(services, username);
        await services.users.update(CLI_PRINCIPAL, target.id, { disabled: !opts.enable });
        console.log(`'${username}' ${opts.enable ? 'enabled' : 'disabled'}.`);
      });
    });
  return program;
}

/**
 * A server that fails to start (a port taken, say) has already opened its database and started timers, which
 * would keep the process alive without serving: it says why and exits 1, so that a service manager, or the
 * primary of `--workers`, sees the failure.
 */
function exitOnStartFailure(err: unknown): never {
  reportError(err);
  process.exit(1);
}

function printDemo(result: Awaited<ReturnType<typeof seedDemo>>): void {
  console.log(
    `Demo data seeded: users ${result.users.join(', ')} (password ${DEMO_PASSWORD}), ${result.files} files.`,
  );
  if (result.adminPassword !== null)
    console.log(`Admin 'admin' password (shown once): ${result.adminPassword}`);
}

function reportError(err: unknown): void {
  if (err instanceof ConfigError) {
    console.error(err.message);
  } else if (isAppError(err) || err instanceof Error) {
    console.error(`baluhost: ${err.message}`);
  } else {
    console.error('baluhost: failed', err);
  }
}

export async function main(argv: readonly string[]): Promise<void> {
  try {
    await buildCli().parseAsync([...argv]);
  } catch (err) {
    reportError(err);
    process.exitCode = 1;
  }
}

await main(process.argv);
