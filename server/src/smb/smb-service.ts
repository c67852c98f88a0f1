import net from 'node:net';
import path from 'node:path';
import { chmodSync, lchownSync, lstatSync } from 'node:fs';
import {
  chmod,
  lchown,
  lstat,
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  statfs,
  symlink,
  writeFile,
} from 'node:fs/promises';
import {
  execRunner,
  formatDfree,
  LogTailer,
  renderDfreeScript,
  renderSmbConf,
  sambaPaths,
  SambaTools,
  SmbdSupervisor,
  type SmbLogger,
  type SmbOpenFile,
  type SmbSession,
  type SmbStatus,
} from '@baluhost/protocols';
import type { Config } from '../config/index.js';
import type { Db } from '../db/index.js';
import type { Principal } from '../auth/index.js';
import type { AuditService } from '../services/audit-service.js';
import type { DomainEventBus } from '../services/events.js';
import type { LoginTracker } from '../services/login-tracker.js';
import type { SharesService } from '../services/shares-service.js';
import type { StorageLayout } from '../storage/layout.js';
import type { QuotaLedger } from '../storage/quota.js';
import { ExternalChanges, type ExternalChange } from '../storage/external-changes.js';
import { defaultSmbSettings, SmbSettingsStore, type SmbSettings } from './smb-settings.js';
import { NssWrapperAccounts, SystemAccounts, type UnixAccounts } from './unix-accounts.js';
import { SmbAuditIngest } from './audit-ingest.js';
import { CoalescedRun } from './coalesced-run.js';

export interface SmbServiceDeps {
  readonly db: Db;
  readonly config: Config;
  readonly layout: StorageLayout;
  readonly events: DomainEventBus;
  readonly audit: AuditService;
  readonly tracker: LoginTracker;
  readonly shares: SharesService;
  readonly quota: QuotaLedger;
  readonly clock?: () => number;
}

/** What `GET /api/smb/status` shows. */
export interface SmbStatusView {
  readonly enabled: boolean;
  readonly running: boolean;
  readonly pid: number | null;
  readonly version: string | null;
  readonly port: number;
  readonly interfaces: readonly string[];
  readonly sessions: SmbSession[];
  readonly openFiles: SmbOpenFile[];
  /** SMB users with no Samba password yet (created before SMB was on): they get one when they next set theirs. */
  readonly usersWithoutPassword: string[];
  /** Users over quota: read-only on every share until back under. */
  readonly overQuota: string[];
  readonly lastError: string | null;
}

interface SmbUser {
  readonly id: number;
  readonly username: string;
  readonly isAdmin: boolean;
  readonly isDisabled: boolean;
  readonly smbEnabled: boolean;
  readonly quotaBytes: number | null;
  readonly usedBytes: number;
}

const NO_LOG: SmbLogger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * How soon a change of stored bytes reaches Samba: the free space each user sees (dfree) and the read-only list of
 * users over quota. A stream of uploads changes them hundreds of times a second; re-rendering every 50 ms cost
 * 5-10 % of the uploads' rate with SMB on (4 KiB PUTs, sequential and 16 at once), once a second costs nothing
 * measurable. Changes made over SMB are adopted at once (see adopt).
 */
const STORAGE_REFRESH_MS = 1_000;

const isMissing = (e: unknown): boolean => {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
};

/** Resolves true when something accepts TCP connections on host:port. */
function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => {
      done(false);
    });
    socket.once('connect', () => {
      done(true);
    });
    socket.once('error', () => {
      done(false);
    });
  });
}

/**
 * The SMB gateway: drives the real Samba from BaluHost's state. It renders smb.conf from the users, groups,
 * shares and quotas in the database, keeps a Unix account and a Samba password per SMB user (passwords arrive
 * with the user.created and user.password events, the only moments they exist in clear text), supervises smbd,
 * answers `dfree` with each user's quota, switches users over quota to read-only, and ingests Samba's audit log
 * into the audit trail and the storage accounting.
 *
 * Every state change runs through one queue, so a password set never races a restart. Methods other than the
 * settings update never throw to their event emitters: failures are logged and shown in {@link status}.
 */
export class SmbService {
  readonly settings: SmbSettingsStore;
  private logger: SmbLogger = NO_LOG;
  private readonly paths: ReturnType<typeof sambaPaths>;
  private readonly dataRoot: string;
  private readonly gid: number;
  private readonly accounts: UnixAccounts;
  private readonly tools: SambaTools;
  private readonly external: ExternalChanges;
  private readonly ingest: SmbAuditIngest;
  private supervisor: SmbdSupervisor | null = null;
  private tailer: LogTailer | null = null;
  private current: SmbSettings | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  /** The pending re-render (see scheduleApply). */
  private readonly applyRun = new CoalescedRun(() => {
    const waiters = this.applyWaiters;
    this.applyWaiters = [];
    void this.serial('apply', () => (this.isUp ? this.apply() : Promise.resolve())).finally(() => {
      for (const w of waiters) w();
    });
  });
  private applyWaiters: (() => void)[] = [];
  private lastConf = '';
  private lastError: string | null = null;
  /**
   * `smbd --version` (see {@link smbdVersion}): read once, at start, and again at each start of SMB. Starting a
   * program costs the event loop milliseconds, and the service probe asks for the version every 30 s.
   */
  private version: Promise<string | null> | null = null;
  private overQuota = new Set<string>();
  /** id → user, for the SMB users, refreshed on every apply. */
  private users = new Map<number, SmbUser>();
  private shareNames = new Map<number, string>();
  private closed = false;

  constructor(private readonly deps: SmbServiceDeps) {
    this.dataRoot = path.dirname(deps.layout.root);
    this.paths = sambaPaths(path.join(this.dataRoot, 'samba'));
    this.gid = deps.config.smbUidMin;
    this.settings = new SmbSettingsStore(deps.db, defaultSmbSettings(deps.config), deps.clock);
    this.accounts = deps.config.smbNssWrapper
      ? new NssWrapperAccounts(this.paths.passwdFile, this.paths.groupFile, this.gid)
      : new SystemAccounts(execRunner({ PATH: '/usr/sbin:/usr/bin:/sbin:/bin' }), this.gid);
    this.tools = new SambaTools({ configPath: this.paths.config }, execRunner(this.toolEnv()));
    this.external = new ExternalChanges(deps.db, deps.layout, deps.quota);
    this.ingest = new SmbAuditIngest({
      audit: deps.audit,
      tracker: deps.tracker,
      storageRoot: deps.layout.root,
      userId: (name) => this.userIdByName(name),
      onChanges: (changes) => this.adopt(changes),
      logger: {
        debug: (o, m) => {
          this.logger.debug(o, m);
        },
        info: (o, m) => {
          this.logger.info(o, m);
        },
        warn: (o, m) => {
          this.logger.warn(o, m);
        },
        error: (o, m) => {
          this.logger.error(o, m);
        },
      },
    });
    this.listen();
  }

  /** The Unix uid of a BaluHost user. */
  uidOf(userId: number): number {
    return this.deps.config.smbUidMin + userId;
  }

  private userIdByName(name: string): number | null {
    for (const u of this.users.values()) if (u.username === name) return u.id;
    return null;
  }

  private userForUid(uid: number): number | null {
    const id = uid - this.deps.config.smbUidMin;
    return id > 0 && this.users.has(id) ? id : null;
  }

  private toolEnv(): Record<string, string> {
    return { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', ...this.accounts.env };
  }

  private get isUp(): boolean {
    return this.supervisor !== null;
  }

  /** Runs fn after everything queued before it; its failure is logged, never thrown to the caller. */
  private serial(what: string, fn: () => Promise<void>): Promise<void> {
    const run = this.queue.then(fn).catch((err: unknown) => {
      this.lastError = `${what}: ${err instanceof Error ? err.message : String(err)}`;
      this.logger.error({ err, what }, 'SMB gateway step failed');
    });
    this.queue = run;
    return run;
  }

  // ---------------------------------------------------------------- lifecycle

  /** Starts Samba when the stored (or configured) setting says so. Resolves once smbd accepts connections. */
  async start(logger?: SmbLogger): Promise<void> {
    if (logger) this.logger = logger;
    this.current = await this.settings.get();
    if (this.current.enabled) await this.serial('start', () => this.bringUp());
    // Read while the server starts rather than at the first probe, 30 s in, with requests in flight.
    else void this.smbdVersion();
  }

  /** Stops Samba (leaving no Samba process behind) and drains the audit log. */
  async close(): Promise<void> {
    this.closed = true;
    this.applyRun.cancel();
    await this.serial('stop', () => this.bringDown());
  }

  private async bringUp(): Promise<void> {
    const settings = this.current ?? (await this.settings.get());
    await this.prepareDirs();
    await this.refreshUsers();
    await this.syncUnixAccounts();
    await this.prepareTree();
    await this.syncPassdb();
    await this.writeConfig(settings);
    // Read again at each start: an upgraded Samba shows its new version once SMB is restarted.
    this.version = null;
    void this.smbdVersion();
    const tailer = new LogTailer(this.paths.logFile, (lines) => this.ingest.ingest(lines));
    await tailer.start();
    this.tailer = tailer;
    const local = settings.interfaces.some((i) => i === 'lo' || i.startsWith('127.'));
    const supervisor = new SmbdSupervisor({
      smbdPath: '/usr/sbin/smbd',
      configPath: this.paths.config,
      env: this.toolEnv(),
      logger: this.logger,
      isReady: () =>
        local
          ? canConnect('127.0.0.1', settings.port)
          : stat(path.join(this.paths.pidDir, 'smbd.pid')).then(
              () => true,
              () => false,
            ),
    });
    this.supervisor = supervisor;
    await supervisor.start();
    this.lastError = null;
  }

  private async bringDown(): Promise<void> {
    const supervisor = this.supervisor;
    this.supervisor = null;
    if (supervisor) await supervisor.stop();
    const tailer = this.tailer;
    this.tailer = null;
    if (tailer) {
      await tailer.poll();
      await tailer.stop();
    }
  }

  // ---------------------------------------------------------------- settings and status

  /**
   * Changes the settings, audits the change, and applies it: start or stop Samba, restart it for a new port or
   * interfaces (smbd binds at start), or re-render and reload for the rest.
   */
  async updateSettings(actor: Principal, patch: Partial<SmbSettings>): Promise<SmbSettings> {
    const before = await this.settings.get();
    const after: SmbSettings = { ...before, ...patch };
    await this.deps.db.transaction(async (trx) => {
      await this.settings.set(after, trx);
      await this.deps.audit.record(
        actor,
        { action: 'smb.settings.update', result: 'success', target: 'smb', details: { ...patch } },
        trx,
      );
    });
    this.current = after;
    const rebind = before.port !== after.port || before.interfaces.join(' ') !== after.interfaces.join(' ');
    await this.serial('apply settings', async () => {
      if (!after.enabled) await this.bringDown();
      else if (!this.isUp) await this.bringUp();
      else if (rebind) {
        await this.bringDown();
        await this.bringUp();
      } else await this.apply();
    });
    return after;
  }

  /**
   * Whether SMB is switched on and smbd runs, and the last error: what {@link status} says without running
   * Samba's tools (smbstatus, pdbedit), for checks that run on a timer.
   */
  async liveness(): Promise<Pick<SmbStatusView, 'enabled' | 'running' | 'pid' | 'lastError'>> {
    const settings = this.current ?? (await this.settings.get());
    const pid = this.supervisor?.pid ?? null;
    return { enabled: settings.enabled, running: pid !== null, pid, lastError: this.lastError };
  }

  /**
   * What the service probe shows every 30 s: {@link liveness}, the port, smbd's version and the number of open
   * sessions. While SMB runs that is one smbstatus; {@link status} also lists the accounts (pdbedit).
   */
  async probe(): Promise<
    Pick<SmbStatusView, 'enabled' | 'running' | 'pid' | 'port' | 'version' | 'lastError'> & {
      sessions: number;
    }
  > {
    const settings = this.current ?? (await this.settings.get());
    let sessions = 0;
    if (this.isUp) sessions = (await this.smbstatus())?.sessions.length ?? 0;
    return {
      ...(await this.liveness()),
      port: settings.port,
      version: await this.smbdVersion(),
      sessions,
    };
  }

  async status(): Promise<SmbStatusView> {
    const settings = this.current ?? (await this.settings.get());
    const live = await this.liveness();
    let sessions: SmbSession[] = [];
    let openFiles: SmbOpenFile[] = [];
    let usersWithoutPassword: string[] = [];
    if (this.isUp) {
      const st = await this.smbstatus();
      sessions = st?.sessions ?? [];
      openFiles = st?.openFiles ?? [];
      const accounts = new Set((await this.tools.list().catch(() => [])).map((a) => a.name));
      usersWithoutPassword = (await this.loadUsers())
        .filter((u) => u.smbEnabled && !accounts.has(u.username))
        .map((u) => u.username)
        .sort();
    }
    return {
      enabled: live.enabled,
      running: live.running,
      pid: live.pid,
      version: await this.smbdVersion(),
      port: settings.port,
      interfaces: settings.interfaces,
      sessions,
      openFiles,
      usersWithoutPassword,
      overQuota: [...this.overQuota].sort(),
      lastError: this.lastError,
    };
  }

  /** smbd's version, or null when smbd cannot be run: one `smbd --version` until {@link bringUp} asks again. */
  private smbdVersion(): Promise<string | null> {
    return (this.version ??= this.tools.version().catch(() => null));
  }

  /** smbstatus, or null (logged) when it fails. */
  private smbstatus(): Promise<SmbStatus | null> {
    return this.tools.status().catch((err: unknown) => {
      this.logger.warn({ err }, 'smbstatus failed');
      return null;
    });
  }

  /** Resolves once every change queued so far (and a pending re-render) has been applied. */
  async settle(): Promise<void> {
    await this.queue;
    if (this.applyRun.pending) await new Promise<void>((resolve) => this.applyWaiters.push(resolve));
    await this.queue;
  }

  // ---------------------------------------------------------------- events

  private listen(): void {
    const { events } = this.deps;
    // A new user and a new password are the same work: the Samba account gets the password BaluHost just saw.
    const passwordSet =
      (what: string) =>
      ({ userId, username, password }: { userId: number; username: string; password: string }): void => {
        void this.serial(what, async () => {
          if (!this.isUp) return;
          await this.refreshUsers();
          const user = this.users.get(userId);
          if (!user?.smbEnabled) return;
          await this.syncUnixAccounts();
          await this.prepareHome(user);
          await this.tools.setPassword(username, password);
          if (user.isDisabled) await this.tools.disable(username);
          this.scheduleApply();
        });
      };
    events.on('user.created', passwordSet('user created'));
    events.on('user.password', passwordSet('password'));
    events.on('user.changed', () => {
      void this.serial('user changed', async () => {
        if (!this.isUp) return;
        await this.refreshUsers();
        await this.syncUnixAccounts();
        for (const user of this.users.values()) await this.prepareHome(user);
        await this.syncPassdb();
        this.scheduleApply();
      });
    });
    events.on('user.deleted', ({ username }) => {
      void this.serial('user deleted', async () => {
        if (!this.isUp) return;
        await this.tools.remove(username).catch(() => undefined);
        await rm(path.join(this.paths.dfreeDir, username), { force: true });
        await rm(path.join(this.paths.quotaDir, username), { force: true });
        await this.refreshUsers();
        await this.syncUnixAccounts();
        this.scheduleApply();
      });
    });
    events.on('group.changed', () => {
      if (this.isUp) this.scheduleApply();
    });
    events.on('share.changed', () => {
      if (this.isUp) this.scheduleApply();
    });
    events.on('storage.changed', ({ key }) => {
      if (!this.isUp) return;
      this.fixOwnership(key);
      this.scheduleApply(STORAGE_REFRESH_MS);
    });
  }

  /**
   * Re-renders and reloads a little later, so that a burst of changes costs one reload. A re-render already due
   * sooner covers this change too; one due later is brought forward.
   */
  private scheduleApply(delayMs = 50): void {
    if (!this.closed) this.applyRun.schedule(delayMs);
  }

  /** Changes smbd made (from the audit log): adopt them into ownership and usage, then re-check quotas. */
  private async adopt(changes: ExternalChange[]): Promise<void> {
    await this.external.adopt(changes, (uid) => this.userForUid(uid));
    this.scheduleApply(0);
  }

  // ---------------------------------------------------------------- state

  private async loadUsers(): Promise<SmbUser[]> {
    const rows = await this.deps
      .db('users')
      .leftJoin('storage_usage', function joinUsage() {
        this.on('storage_usage.subject_id', '=', 'users.id').andOnVal('storage_usage.scope', '=', 'user');
      })
      .select<
        {
          id: number;
          username: string;
          role: string;
          isDisabled: boolean | number;
          smbEnabled: boolean | number;
          quotaBytes: number | string | null;
          usedBytes: number | string | null;
        }[]
      >(
        'users.id',
        'users.username',
        'users.role',
        'users.is_disabled',
        'users.smb_enabled',
        'users.quota_bytes',
        'storage_usage.used_bytes',
      );
    return rows.map((r) => ({
      id: r.id,
      username: r.username,
      isAdmin: r.role === 'admin',
      isDisabled: Boolean(r.isDisabled),
      smbEnabled: Boolean(r.smbEnabled),
      quotaBytes: r.quotaBytes === null ? null : Number(r.quotaBytes),
      usedBytes: Number(r.usedBytes ?? 0),
    }));
  }

  private async refreshUsers(): Promise<void> {
    this.users = new Map((await this.loadUsers()).map((u) => [u.id, u]));
  }

  private smbUsers(): SmbUser[] {
    return [...this.users.values()].filter((u) => u.smbEnabled).sort((a, b) => a.id - b.id);
  }

  private async syncUnixAccounts(): Promise<void> {
    await this.accounts.sync(this.smbUsers().map((u) => ({ name: u.username, uid: this.uidOf(u.id) })));
  }

  /** Samba accounts in step: none for users gone or without SMB, disabled for disabled users. */
  private async syncPassdb(): Promise<void> {
    const wanted = new Map(this.smbUsers().map((u) => [u.username, u]));
    for (const account of await this.tools.list()) {
      const user = wanted.get(account.name);
      if (!user) await this.tools.remove(account.name);
      else if (user.isDisabled && !account.isDisabled) await this.tools.disable(account.name);
      else if (!user.isDisabled && account.isDisabled) await this.tools.enable(account.name);
    }
  }

  /** Re-renders smb.conf, the quota files and the dfree links; reloads smbd when the config changed. */
  private async apply(): Promise<void> {
    const settings = this.current ?? (await this.settings.get());
    await this.refreshUsers();
    const shares = await this.deps.shares.list();
    this.shareNames = new Map(shares.map((s) => [s.id, s.name]));
    for (const share of shares) await this.prepareShareDir(share.name);
    const before = [...this.overQuota].sort().join(' ');
    await this.writeQuotaFiles();
    const changed = await this.writeConfig(settings);
    const after = [...this.overQuota].sort().join(' ');
    if (before !== after) this.logger.info({ overQuota: [...this.overQuota] }, 'SMB read-only users changed');
    if (changed && this.supervisor?.isRunning) await this.tools.reloadConfig();
  }

  private async writeConfig(settings: SmbSettings): Promise<boolean> {
    const active = this.smbUsers().filter((u) => !u.isDisabled);
    const groups = await this.deps
      .db('user_groups')
      .join('groups', 'groups.id', 'user_groups.group_id')
      .join('users', 'users.id', 'user_groups.user_id')
      .select<{ group: string; username: string }[]>('groups.name as group', 'users.username');
    const members = (group: string) => groups.filter((g) => g.group === group).map((g) => g.username);
    const shares = await this.deps.shares.list();
    this.overQuota = new Set(
      active.filter((u) => u.quotaBytes !== null && u.usedBytes > u.quotaBytes).map((u) => u.username),
    );
    const text = renderSmbConf({
      workgroup: settings.workgroup,
      serverString: settings.serverString,
      port: settings.port,
      interfaces: settings.interfaces,
      sambaDir: path.dirname(this.paths.config),
      homesDir: this.deps.layout.homes,
      users: active.map((u) => ({
        name: u.username,
        isAdmin: u.isAdmin,
        isOverQuota: this.overQuota.has(u.username),
      })),
      shares: shares.map((s) => ({
        name: s.name,
        comment: s.description,
        path: this.deps.shares.shareDir(s.name),
        readers: s.acl.flatMap((e) => (e.type === 'user' ? [e.name] : members(e.name))),
        writers: s.acl
          .filter((e) => e.access === 'write')
          .flatMap((e) => (e.type === 'user' ? [e.name] : members(e.name))),
      })),
    });
    if (text === this.lastConf) return false;
    const tmp = `${this.paths.config}.tmp`;
    await writeFile(tmp, text, { mode: 0o644 });
    await rename(tmp, this.paths.config);
    this.lastConf = text;
    return true;
  }

  /** `<quota>/<user>`: "total free" in 1K blocks for dfree, readable by that user only; one dfree link each. */
  private async writeQuotaFiles(): Promise<void> {
    const fs = await statfs(this.deps.layout.root);
    const diskTotal = fs.blocks * fs.bsize;
    const diskFree = fs.bavail * fs.bsize;
    const active = new Set<string>();
    for (const u of this.smbUsers()) {
      active.add(u.username);
      const total = u.quotaBytes ?? diskTotal;
      const free = u.quotaBytes === null ? diskFree : Math.min(diskFree, u.quotaBytes - u.usedBytes);
      const file = path.join(this.paths.quotaDir, u.username);
      const text = formatDfree(total, free);
      const current = await readFile(file, 'utf8').catch(() => null);
      if (current !== text) {
        const tmp = `${file}.tmp`;
        await writeFile(tmp, text, { mode: 0o400 });
        await lchown(tmp, this.uidOf(u.id), this.gid);
        await rename(tmp, file);
      }
      const link = path.join(this.paths.dfreeDir, u.username);
      const target = await lstat(link).then(
        (st) => st.isSymbolicLink(),
        () => false,
      );
      if (!target) {
        await rm(link, { force: true });
        await symlink(this.paths.dfreeScript, link);
      }
    }
    for (const dir of [this.paths.dfreeDir, this.paths.quotaDir]) {
      for (const name of await readdir(dir)) {
        if (!active.has(name)) await rm(path.join(dir, name), { force: true });
      }
    }
  }

  // ---------------------------------------------------------------- the tree on disk

  private async prepareDirs(): Promise<void> {
    const p = this.paths;
    const sambaDir = path.dirname(p.config);
    const dirs: [string, number][] = [
      [sambaDir, 0o711],
      [p.privateDir, 0o700],
      [p.lockDir, 0o755],
      [p.stateDir, 0o755],
      [p.cacheDir, 0o755],
      [p.pidDir, 0o755],
      [p.ncalrpcDir, 0o755],
      [path.dirname(p.logFile), 0o700],
      [p.dfreeDir, 0o711],
      [p.quotaDir, 0o711],
    ];
    for (const [dir, mode] of dirs) {
      await mkdir(dir, { recursive: true, mode });
      await chmod(dir, mode);
    }
    await writeFile(p.dfreeScript, renderDfreeScript(p.quotaDir), { mode: 0o755 });
    await chmod(p.dfreeScript, 0o755);
  }

  /**
   * Unix permissions smbd needs when it acts as a user: the SMB group may pass through the data root down to
   * homes and shares (0710, nothing listed), each home belongs to its user (0700), each share folder to root and
   * the group (setgid, sticky: 3770), and what BaluHost wrote there gets its owner's uid and the group.
   */
  private async prepareTree(): Promise<void> {
    const { layout } = this.deps;
    for (const dir of [this.dataRoot, layout.root, layout.homes, layout.shares]) {
      const st = await stat(dir);
      await lchown(dir, st.uid, this.gid);
      await chmod(dir, (st.mode & 0o7777) | 0o010);
    }
    for (const user of this.smbUsers()) await this.prepareHome(user, true);
    const shares = await this.deps.shares.list();
    this.shareNames = new Map(shares.map((s) => [s.id, s.name]));
    for (const share of shares) {
      await this.prepareShareDir(share.name);
      await this.fixShareTree(share.id, share.name, '');
    }
  }

  private async prepareHome(user: SmbUser, deep = false): Promise<void> {
    const dir = path.join(this.deps.layout.homes, user.username);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await lchown(dir, this.uidOf(user.id), this.gid);
    await chmod(dir, 0o700);
    if (deep) await this.chownTree(dir, this.uidOf(user.id));
  }

  private async prepareShareDir(name: string): Promise<void> {
    const dir = this.deps.shares.shareDir(name);
    await mkdir(dir, { recursive: true });
    await lchown(dir, 0, this.gid);
    await chmod(dir, 0o3770);
  }

  private async chownTree(dir: string, uid: number): Promise<void> {
    for (const d of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (d.isSymbolicLink()) continue;
      const abs = path.join(dir, d.name);
      await lchown(abs, uid, this.gid).catch(() => undefined);
      if (d.isDirectory()) await this.chownTree(abs, uid);
    }
  }

  /** Share files: their recorded owner's uid (root when unknown), the group, group-readable; folders 3770. */
  private async fixShareTree(shareId: number, name: string, rel: string): Promise<void> {
    const base = `s:${shareId}`;
    const rows = await this.deps
      .db('file_owners')
      .where((q) => {
        void q
          .where('resource_key', rel ? `${base}/${rel}` : base)
          .orWhereRaw('substr(resource_key, 1, ?) = ?', [
            (rel ? `${base}/${rel}` : base).length + 1,
            `${rel ? `${base}/${rel}` : base}/`,
          ]);
      })
      .select<{ resourceKey: string; ownerId: number | null }[]>('resource_key', 'owner_id');
    const owners = new Map(rows.map((r) => [r.resourceKey, r.ownerId]));
    const fix = async (abs: string, key: string): Promise<void> => {
      const st = await lstat(abs).catch(() => null);
      if (!st || st.isSymbolicLink()) return;
      const owner = owners.get(key);
      const uid = owner !== undefined && owner !== null ? this.uidOf(owner) : st.uid;
      await lchown(abs, uid, this.gid).catch(() => undefined);
      if (st.isDirectory()) {
        await chmod(abs, 0o3770).catch(() => undefined);
        for (const child of await readdir(abs).catch(() => []))
          await fix(path.join(abs, child), `${key}/${child}`);
      } else {
        await chmod(abs, (st.mode & 0o777) | 0o640).catch(() => undefined);
      }
    };
    const top = this.deps.shares.shareDir(name);
    if (rel === '') {
      for (const child of await readdir(top).catch(() => []))
        await fix(path.join(top, child), `${base}/${child}`);
    } else await fix(path.join(top, ...rel.split('/')), `${base}/${rel}`);
  }

  /**
   * A file the core wrote as root gets the uid smbd will act as: in a home at once (synchronously, before the
   * WebDAV or API answer goes out, so the next SMB read sees it), in a share from its recorded owner.
   */
  private fixOwnership(key: string): void {
    const m = /^([us]):(\d+)(?:\/(.*))?$/.exec(key);
    if (!m) return;
    const id = Number(m[2]);
    const rel = m[3] ?? '';
    if (m[1] === 'u') {
      const user = this.users.get(id);
      if (!user) return;
      const abs = path.join(this.deps.layout.homes, user.username, ...(rel ? rel.split('/') : []));
      try {
        const st = lstatSync(abs);
        if (st.isSymbolicLink()) return;
        lchownSync(abs, this.uidOf(id), this.gid);
        if (st.isDirectory()) {
          chmodSync(abs, 0o700);
          void this.chownTree(abs, this.uidOf(id));
        }
      } catch (e) {
        if (!isMissing(e)) this.logger.warn({ err: e }, 'SMB ownership not set');
      }
      return;
    }
    const name = this.shareNames.get(id);
    if (name === undefined) return;
    void this.fixShareTree(id, name, rel).catch((err: unknown) => {
      this.logger.warn({ err }, 'SMB ownership not set');
    });
  }
}
