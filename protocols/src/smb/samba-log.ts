/**
 * Parsers for what Samba writes to its log file with `debug syslog format = yes`: vfs_full_audit records
 * (`full_audit:prefix = %u|%I|%S`) and JSON authentication audit lines (`log level = 1 auth_json_audit:3`).
 * Pure: no I/O, no clock.
 */

/** One vfs_full_audit record: `<ts> <host> smbd[<pid>]:   <user>|<address>|<share>|<op>|<ok|fail (...)>|<args>`. */
export interface FullAuditRecord {
  readonly kind: 'vfs';
  /** The timestamp as Samba wrote it (ISO 8601 with microseconds). */
  readonly at: string;
  /** The smbd process serving that client connection. */
  readonly pid: number;
  readonly user: string;
  readonly address: string;
  /** Share name as `%S` gives it (IPC$ is written `IPC_`). */
  readonly share: string;
  readonly op: string;
  readonly ok: boolean;
  /** The reason after `fail`, e.g. `Permission denied`; null on success. */
  readonly failure: string | null;
  /** Everything after the result, verbatim (paths may themselves hold `|`). */
  readonly args: string;
}

/** One authentication, successful or not, from Samba's JSON auth audit. */
export interface AuthRecord {
  readonly kind: 'auth';
  readonly at: string;
  /** NT status, `NT_STATUS_OK` on success. */
  readonly status: string;
  readonly ok: boolean;
  /** The account name the client sent. */
  readonly account: string;
  /** The client's IP address, without port. */
  readonly address: string | null;
  /** `SMB2`, `SamLogon`, ... */
  readonly service: string | null;
}

export type SambaLogRecord = FullAuditRecord | AuthRecord;

const SYSLOG_LINE = /^(\S+) \S+ smbd\[(\d+)\]:\s+(.*)$/;
const RESULT = /^(ok|fail)(?: \((.*)\))?$/;

/** The IP address in Samba's `ipv4:127.0.0.1:54828` / `ipv6:[::1]:445` / `ipv6:::1:445` forms. */
export function addressFromTsocket(s: string | null | undefined): string | null {
  if (!s) return null;
  const m = /^ipv([46]):(.*)$/.exec(s);
  if (!m) return s;
  const rest = m[2] ?? '';
  if (m[1] === '4') return rest.replace(/:\d+$/, '');
  const bracketed = /^\[([^\]]+)\]/.exec(rest);
  if (bracketed) return bracketed[1] ?? null;
  return rest.replace(/:\d+$/, '');
}

function parseAuth(line: string): AuthRecord | null {
  const start = line.indexOf('{');
  if (start < 0) return null;
  let doc: unknown;
  try {
    doc = JSON.parse(line.slice(start));
  } catch {
    return null;
  }
  if (typeof doc !== 'object' || doc === null) return null;
  const top = doc as Record<string, unknown>;
  if (top['type'] !== 'Authentication') return null;
  const a = top['Authentication'];
  if (typeof a !== 'object' || a === null) return null;
  const auth = a as Record<string, unknown>;
  const str = (k: string): string | null => {
    const v = auth[k];
    return typeof v === 'string' ? v : null;
  };
  const status = str('status') ?? 'UNKNOWN';
  return {
    kind: 'auth',
    at: typeof top['timestamp'] === 'string' ? top['timestamp'] : '',
    status,
    ok: status === 'NT_STATUS_OK',
    account: str('clientAccount') ?? str('mappedAccount') ?? '',
    address: addressFromTsocket(str('remoteAddress')),
    service: str('serviceDescription'),
  };
}

/** Parses one log line; null for anything that is neither a full_audit record nor an authentication. */
export function parseSambaLogLine(line: string): SambaLogRecord | null {
  if (line.includes('"type": "Authentication"') || line.includes('"type":"Authentication"'))
    return parseAuth(line);
  const m = SYSLOG_LINE.exec(line);
  if (!m) return null;
  const [, at = '', pid = '0', message = ''] = m;
  const parts = message.split('|');
  if (parts.length < 5) return null;
  const [user = '', address = '', share = '', op = '', result = ''] = parts;
  const r = RESULT.exec(result);
  if (!r || !/^[a-z_]+$/.test(op)) return null;
  return {
    kind: 'vfs',
    at,
    pid: Number(pid),
    user,
    address,
    share,
    op,
    ok: r[1] === 'ok',
    failure: r[2] ?? null,
    args: parts.slice(5).join('|'),
  };
}

/**
 * The absolute paths in a record's arguments (one for most operations, two for `renameat`), found by the root
 * they must start with: a name may hold `|`, but `|` followed by the root is where the next path begins.
 */
export function pathsIn(args: string, root: string): string[] {
  const out: string[] = [];
  let rest = args;
  const first = rest.indexOf(root);
  if (first < 0) return out;
  rest = rest.slice(first);
  for (;;) {
    const next = rest.indexOf(`|${root}`, 1);
    if (next < 0) {
      out.push(rest);
      return out;
    }
    out.push(rest.slice(0, next));
    rest = rest.slice(next + 1);
  }
}

/** `create_file`'s arguments: access mask, `file`/`dir`, the create disposition, then the path. */
export function createFileArgs(
  args: string,
): { accessMask: number; isDirectory: boolean; disposition: string; path: string } | null {
  const m = /^(0x[0-9a-f]+)\|(file|dir)\|([a-z_]+)\|(.*)$/.exec(args);
  if (!m) return null;
  return {
    accessMask: Number.parseInt(m[1] ?? '0', 16),
    isDirectory: m[2] === 'dir',
    disposition: m[3] ?? '',
    path: m[4] ?? '',
  };
}

/** Create dispositions that make a new file or empty an existing one. */
export const WRITING_DISPOSITIONS: ReadonlySet<string> = new Set([
  'create',
  'overwrite',
  'overwrite_if',
  'supersede',
]);
