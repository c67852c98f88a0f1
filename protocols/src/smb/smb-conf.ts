import path from 'node:path';

/** One Samba account as smb.conf needs to know it. */
export interface SmbConfUser {
  /** The BaluHost username, which is also the Unix and the Samba account name. */
  readonly name: string;
  /** Admins get write access on every share (and Samba's `admin users`, so they may change anyone's files there). */
  readonly isAdmin: boolean;
  /** Over quota: read-only on every share, their home included, until back under. */
  readonly isOverQuota: boolean;
}

/** One BaluHost share, with its ACL already expanded to usernames (groups resolved to their members). */
export interface SmbConfShare {
  readonly name: string;
  readonly comment: string;
  /** Absolute path of the share's folder. */
  readonly path: string;
  /** Users with read access from the ACL (a user with write access need not be listed here too). */
  readonly readers: readonly string[];
  /** Users with write access from the ACL. */
  readonly writers: readonly string[];
}

export interface SmbConfInput {
  readonly workgroup: string;
  readonly serverString: string;
  /** TCP port smbd listens on (`smb ports`). */
  readonly port: number;
  /** Interface names or addresses (`interfaces`); smbd binds only these. */
  readonly interfaces: readonly string[];
  /** `<dataDir>/samba`: passdb, lock, state, cache, pid dirs, the log file, dfree scripts. */
  readonly sambaDir: string;
  /** `<dataDir>/storage/homes`: the home share is `<homesDir>/<user>`. */
  readonly homesDir: string;
  /** Samba accounts (every BaluHost user with SMB enabled). */
  readonly users: readonly SmbConfUser[];
  readonly shares: readonly SmbConfShare[];
}

/** Where each of Samba's own files lives under the samba dir; the supervisor and the tools use the same names. */
export function sambaPaths(sambaDir: string): {
  readonly config: string;
  readonly privateDir: string;
  readonly lockDir: string;
  readonly stateDir: string;
  readonly cacheDir: string;
  readonly pidDir: string;
  readonly ncalrpcDir: string;
  readonly logFile: string;
  readonly dfreeDir: string;
  readonly dfreeScript: string;
  readonly quotaDir: string;
  readonly passwdFile: string;
  readonly groupFile: string;
} {
  return {
    config: path.join(sambaDir, 'smb.conf'),
    privateDir: path.join(sambaDir, 'private'),
    lockDir: path.join(sambaDir, 'lock'),
    stateDir: path.join(sambaDir, 'state'),
    cacheDir: path.join(sambaDir, 'cache'),
    pidDir: path.join(sambaDir, 'pid'),
    ncalrpcDir: path.join(sambaDir, 'ncalrpc'),
    logFile: path.join(sambaDir, 'log', 'smbd.log'),
    dfreeDir: path.join(sambaDir, 'dfree.d'),
    dfreeScript: path.join(sambaDir, 'dfree'),
    quotaDir: path.join(sambaDir, 'quota'),
    passwdFile: path.join(sambaDir, 'passwd'),
    groupFile: path.join(sambaDir, 'group'),
  };
}

/**
 * The VFS operations full_audit records (names as Samba 4.17 spells them: `man vfs_full_audit`). `pwrite_send` is
 * the SMB2 write; `close` ends a write; `unlinkat` removes files and folders alike.
 */
export const FULL_AUDIT_SUCCESS_OPS = [
  'connect',
  'disconnect',
  'create_file',
  'pwrite_send',
  'close',
  'renameat',
  'unlinkat',
  'mkdirat',
] as const;

/** Section names Samba gives a meaning of its own: a BaluHost share by one of these names is not offered over SMB. */
export const SAMBA_RESERVED_SHARE_NAMES: ReadonlySet<string> = new Set([
  'global',
  'homes',
  'home',
  'printers',
  'print$',
  'ipc$',
]);

/** Characters that would end a value, a section name, or a list entry early in smb.conf. */
const UNSAFE = /[\r\n\0[\]"]/;

function value(v: string, what: string): string {
  if (UNSAFE.test(v))
    throw new Error(`${what} contains a character smb.conf cannot hold: ${JSON.stringify(v)}`);
  return v;
}

function list(names: Iterable<string>): string {
  return [...new Set(names)]
    .sort()
    .map((n) => {
      if (!/^[a-z_][a-z0-9_.-]*$/.test(n)) throw new Error(`Not a valid account name: ${JSON.stringify(n)}`);
      return n;
    })
    .join(' ');
}

function section(name: string, params: readonly (readonly [string, string])[]): string {
  return [`[${value(name, 'A share name')}]`, ...params.map(([k, v]) => `\t${k} = ${v}`)].join('\n');
}

/**
 * Renders smb.conf from BaluHost's state. Pure and deterministic: the same input gives the same text, byte for
 * byte (lists sorted, no timestamps), so a reload happens only when something changed.
 *
 * What it encodes:
 * - `[home]`: every SMB user's own home, `<homesDir>/%u` (`%u` is the authenticated account, so nobody can reach
 *   another user's home through it; there is no `[homes]` section that would offer `\\host\alice`).
 * - one section per share: `valid users` are its readers, writers and the admins; `write list` its writers and the
 *   admins; everyone else there reads only.
 * - over-quota users are taken out of every `write list` and put in every `read list`: read-only everywhere.
 * @throws Error when a name holds a character smb.conf cannot express (BaluHost's own validation prevents that)
 */
export function renderSmbConf(input: SmbConfInput): string {
  const p = sambaPaths(input.sambaDir);
  const users = [...input.users].sort((a, b) => a.name.localeCompare(b.name));
  const all = users.map((u) => u.name);
  const admins = users.filter((u) => u.isAdmin).map((u) => u.name);
  const overQuota = new Set(users.filter((u) => u.isOverQuota).map((u) => u.name));
  const known = new Set(all);
  const global = section('global', [
    ['workgroup', value(input.workgroup, 'The workgroup')],
    ['server string', value(input.serverString, 'The server string')],
    ['server role', 'standalone server'],
    ['smb ports', String(input.port)],
    ['interfaces', input.interfaces.map((i) => value(i, 'An interface')).join(' ')],
    ['bind interfaces only', 'yes'],
    ['server min protocol', 'SMB2'],
    ['passdb backend', `tdbsam:${path.join(p.privateDir, 'passdb.tdb')}`],
    ['private dir', p.privateDir],
    ['lock directory', p.lockDir],
    ['state directory', p.stateDir],
    ['cache directory', p.cacheDir],
    ['pid directory', p.pidDir],
    ['ncalrpc dir', p.ncalrpcDir],
    ['log file', p.logFile],
    // Samba moves the log to .old at this size (KiB); the tailer follows the new file.
    ['max log size', '10000'],
    // Level 1 carries full_audit's records; auth_json_audit:3 one JSON line per authentication, failed or not.
    ['log level', '1 auth_json_audit:3'],
    // One line per record, with a timestamp and smbd's pid, instead of a header line plus the message.
    ['debug syslog format', 'yes'],
    ['logging', 'file'],
    ['security', 'user'],
    ['map to guest', 'never'],
    ['restrict anonymous', '2'],
    ['load printers', 'no'],
    ['printing', 'bsd'],
    ['printcap name', '/dev/null'],
    ['disable spoolss', 'yes'],
    ['disable netbios', 'yes'],
    ['usershare max shares', '0'],
    ['unix password sync', 'no'],
    ['obey pam restrictions', 'no'],
    // BaluHost never follows links: nothing planted in the data root may point outside it.
    ['wide links', 'no'],
    ['follow symlinks', 'no'],
    ['unix extensions', 'no'],
    // DOS attributes go to xattrs, never into the execute bits.
    ['map archive', 'no'],
    ['map hidden', 'no'],
    ['map system', 'no'],
    ['store dos attributes', 'yes'],
    // Samba runs it as the user, with no arguments that say who: one link per user, named after them.
    ['dfree command', `${p.dfreeDir}/%U`],
    ['vfs objects', 'fruit streams_xattr full_audit'],
    ['fruit:metadata', 'stream'],
    ['fruit:model', 'MacSamba'],
    ['fruit:posix_rename', 'yes'],
    ['fruit:veto_appledouble', 'no'],
    ['fruit:nfs_aces', 'no'],
    ['fruit:wipe_intentionally_left_blank_rfork', 'yes'],
    ['fruit:delete_empty_adfiles', 'yes'],
    ['full_audit:success', FULL_AUDIT_SUCCESS_OPS.join(' ')],
    ['full_audit:failure', 'connect'],
    ['full_audit:prefix', '%u|%I|%S'],
    // Records go to the log file above, which BaluHost tails.
    ['full_audit:syslog', 'false'],
  ]);

  const homeWriters = all.filter((n) => !overQuota.has(n));
  const home = section('home', [
    ['comment', 'Your home folder'],
    ['path', `${input.homesDir}/%u`],
    ...(all.length === 0
      ? ([['available', 'no']] as const)
      : ([
          ['valid users', list(all)],
          ['read only', 'yes'],
          ['write list', list(homeWriters)],
          ['read list', list([...overQuota])],
        ] as const)),
    ['browseable', 'yes'],
    ['create mask', '0600'],
    ['force create mode', '0600'],
    ['directory mask', '0700'],
    ['force directory mode', '0700'],
  ]);

  const shares = [...input.shares]
    .filter((share) => !SAMBA_RESERVED_SHARE_NAMES.has(share.name.toLowerCase()))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((share) => {
      const writers = [...share.writers, ...admins].filter((n) => known.has(n));
      const valid = [...share.readers, ...writers].filter((n) => known.has(n));
      const canWrite = writers.filter((n) => !overQuota.has(n));
      const readOnly = valid.filter((n) => !canWrite.includes(n));
      return section(share.name, [
        ['comment', value(share.comment.replace(/[\r\n]+/g, ' '), 'A share comment')],
        ['path', value(share.path, 'A share path')],
        ...(valid.length === 0
          ? ([['available', 'no']] as const)
          : ([
              ['valid users', list(valid)],
              ['read only', 'yes'],
              ['write list', list(canWrite)],
              ['read list', list(readOnly)],
              ['admin users', list(admins.filter((n) => !overQuota.has(n)))],
            ] as const)),
        ['browseable', 'yes'],
        // Files are readable by every SMB user in the group (Samba's lists decide who gets in), writable by their
        // owner only; folders are group-writable and sticky, so only a file's owner (or an admin) removes it.
        ['create mask', '0640'],
        ['force create mode', '0640'],
        ['directory mask', '3770'],
        ['force directory mode', '3770'],
      ]);
    });

  return `# Written by BaluHost from its users, groups and shares; edits here are overwritten.\n${[global, home, ...shares].join('\n\n')}\n`;
}
