/** A connected client, from `smbstatus --json`. */
export interface SmbSession {
  readonly sessionId: string;
  readonly pid: number;
  readonly username: string;
  readonly uid: number | null;
  /** The client's address (remote_machine). */
  readonly address: string;
  readonly dialect: string | null;
  readonly encrypted: boolean;
  readonly signed: boolean;
  /** Shares this session has open. */
  readonly shares: string[];
}

export interface SmbOpenFile {
  /** The file's absolute path (service path + file name). */
  readonly path: string;
  readonly pid: number;
  readonly uid: number | null;
  readonly openedAt: string | null;
}

export interface SmbStatus {
  readonly version: string | null;
  readonly sessions: SmbSession[];
  readonly openFiles: SmbOpenFile[];
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (o: Obj, k: string): string | null => {
  const v = o[k];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;
};
const num = (o: Obj, k: string): number | null => {
  const v = o[k];
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : null;
};
const pidOf = (o: Obj): number => {
  const sid = o['server_id'];
  return isObj(sid) ? (num(sid, 'pid') ?? 0) : 0;
};
const degree = (o: Obj, k: string): boolean => {
  const v = o[k];
  if (!isObj(v)) return false;
  const d = str(v, 'degree');
  return d !== null && d !== 'none';
};

/**
 * Parses `smbstatus --json` (Samba 4.16+). Unknown or missing fields are tolerated: the shape has changed
 * between releases, and a status page must not fail on a field it does not need.
 * @throws SyntaxError when the text is not JSON
 */
export function parseSmbstatusJson(text: string): SmbStatus {
  const doc: unknown = JSON.parse(text);
  if (!isObj(doc)) return { version: null, sessions: [], openFiles: [] };
  const tcons = isObj(doc['tcons']) ? Object.values(doc['tcons']).filter(isObj) : [];
  const sessions = (isObj(doc['sessions']) ? Object.values(doc['sessions']).filter(isObj) : []).map(
    (s): SmbSession => {
      const sessionId = str(s, 'session_id') ?? '';
      return {
        sessionId,
        pid: pidOf(s),
        username: str(s, 'username') ?? '',
        uid: num(s, 'uid'),
        address: str(s, 'remote_machine') ?? str(s, 'hostname') ?? '',
        dialect: str(s, 'session_dialect'),
        encrypted: degree(s, 'encryption'),
        signed: degree(s, 'signing'),
        shares: [
          ...new Set(
            tcons
              .filter((t) => str(t, 'session_id') === sessionId)
              .map((t) => str(t, 'service') ?? '')
              .filter((n) => n !== ''),
          ),
        ].sort(),
      };
    },
  );
  const openFiles: SmbOpenFile[] = [];
  for (const [key, f] of Object.entries(isObj(doc['open_files']) ? doc['open_files'] : {})) {
    if (!isObj(f)) continue;
    const servicePath = str(f, 'service_path');
    const filename = str(f, 'filename');
    const path =
      servicePath !== null && filename !== null
        ? `${servicePath.replace(/\/$/, '')}/${filename.replace(/^\//, '')}`
        : key;
    const opens = isObj(f['opens']) ? Object.values(f['opens']).filter(isObj) : [];
    if (opens.length === 0) openFiles.push({ path, pid: 0, uid: null, openedAt: null });
    for (const o of opens)
      openFiles.push({ path, pid: pidOf(o), uid: num(o, 'uid'), openedAt: str(o, 'opened_at') });
  }
  return {
    version: typeof doc['version'] === 'string' ? doc['version'] : null,
    sessions: sessions.sort(
      (a, b) => a.username.localeCompare(b.username) || a.sessionId.localeCompare(b.sessionId),
    ),
    openFiles: openFiles.sort((a, b) => a.path.localeCompare(b.path)),
  };
}
