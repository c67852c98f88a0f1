import path from 'node:path';
import {
  createFileArgs,
  parseSambaLogLine,
  pathsIn,
  WRITING_DISPOSITIONS,
  type FullAuditRecord,
  type SmbLogger,
} from '@baluhost/protocols';
import type { AuditService, AuditEvent } from '../services/audit-service.js';
import type { LoginTracker } from '../services/login-tracker.js';
import type { ExternalChange } from '../storage/external-changes.js';

export interface SmbAuditIngestDeps {
  readonly audit: AuditService;
  readonly tracker: LoginTracker;
  /** `<dataDir>/storage`: paths in records start with it. */
  readonly storageRoot: string;
  /** The BaluHost user id of an SMB account name, or null. */
  readonly userId: (username: string) => number | null;
  /** Called once per batch with the files and folders changed over SMB. */
  readonly onChanges: (changes: ExternalChange[]) => Promise<void>;
  readonly logger: SmbLogger;
}

interface Pending {
  readonly user: string;
  readonly address: string;
  readonly created: boolean;
}

/**
 * Turns Samba's log into BaluHost's audit trail: connects, files written (one row per file at its close, not per
 * write call), folders made, renames and deletes, with protocol `smb`, the user, their address and the path as
 * the core shows it (`/homes/alice/x`, `/shares/team/y`); failed logins are audited and counted in the shared
 * failed-login tracker. Changed paths go to `onChanges` (ownership and usage are adopted there).
 */
export class SmbAuditIngest {
  private readonly dirty = new Map<string, Pending>();
  private readonly root: string;

  constructor(private readonly deps: SmbAuditIngestDeps) {
    this.root = deps.storageRoot.endsWith('/') ? deps.storageRoot : `${deps.storageRoot}/`;
  }

  /** The core's display form of an absolute path in the data root, or null outside homes and shares. */
  display(abs: string): string | null {
    const rel = path.relative(this.root, abs);
    if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
    const [area, ...rest] = rel.split('/');
    if ((area !== 'homes' && area !== 'shares') || rest.length === 0) return null;
    return `/${area}/${rest.join('/')}`;
  }

  async ingest(lines: readonly string[]): Promise<void> {
    const changes: ExternalChange[] = [];
    for (const line of lines) {
      const record = parseSambaLogLine(line);
      if (!record) continue;
      try {
        if (record.kind === 'auth') {
          if (record.ok) {
            await this.deps.tracker.recordSuccess(record.account);
            continue;
          }
          const blocked = await this.deps.tracker.recordFailure(record.address, record.account);
          await this.deps.audit.recordAnonymous(
            { protocol: 'smb', address: record.address, reqId: null },
            record.account,
            {
              action: 'auth.login',
              result: 'failure',
              target: record.account,
              details: { status: record.status, ...(blocked ? { blocked: true } : {}) },
            },
          );
        } else {
          await this.vfs(record, changes);
        }
      } catch (err) {
        this.deps.logger.error({ err }, 'SMB audit record not ingested');
      }
    }
    if (changes.length > 0) await this.deps.onChanges(changes);
  }

  private async record(r: { user: string; address: string }, event: AuditEvent): Promise<void> {
    const userId = this.deps.userId(r.user);
    await this.deps.audit.record(
      { userId: userId ?? 0, username: r.user, address: r.address || null, protocol: 'smb' },
      event,
    );
  }

  private async vfs(r: FullAuditRecord, changes: ExternalChange[]): Promise<void> {
    if (r.share === 'IPC_') return;
    const userId = this.deps.userId(r.user);
    const change = (absPath: string) => changes.push({ absPath, userId });
    const key = (p: string) => `${r.pid}\0${p}`;
    switch (r.op) {
      case 'connect':
        await this.record(r, {
          action: 'smb.connect',
          result: r.ok ? 'success' : 'failure',
          target: r.share === 'home' ? `/homes/${r.user}` : `/shares/${r.share}`,
          ...(r.failure ? { details: { reason: r.failure } } : {}),
        });
        return;
      case 'create_file': {
        const args = createFileArgs(r.args);
        if (!r.ok || !args || args.isDirectory || !WRITING_DISPOSITIONS.has(args.disposition)) return;
        if (this.display(args.path) === null) return;
        this.dirty.set(key(args.path), {
          user: r.user,
          address: r.address,
          created: args.disposition === 'create',
        });
        return;
      }
      case 'pwrite_send': {
        const [p] = pathsIn(r.args, this.root);
        if (!r.ok || p === undefined || this.display(p) === null) return;
        if (!this.dirty.has(key(p)))
          this.dirty.set(key(p), { user: r.user, address: r.address, created: false });
        return;
      }
      case 'close': {
        const [p] = pathsIn(r.args, this.root);
        const pending = p === undefined ? undefined : this.dirty.get(key(p));
        if (p === undefined || !pending) return;
        this.dirty.delete(key(p));
        await this.record(pending, { action: 'file.write', result: 'success', target: this.display(p) });
        change(p);
        return;
      }
      case 'disconnect': {
        // A write whose close was not logged (the connection dropped) still changed the file.
        for (const [k, pending] of [...this.dirty]) {
          if (!k.startsWith(`${r.pid}\0`)) continue;
          this.dirty.delete(k);
          const p = k.slice(k.indexOf('\0') + 1);
          await this.record(pending, { action: 'file.write', result: 'success', target: this.display(p) });
          change(p);
        }
        return;
      }
      case 'mkdirat':
      case 'unlinkat': {
        const [p] = pathsIn(r.args, this.root);
        if (!r.ok || p === undefined || this.display(p) === null) return;
        await this.record(r, {
          action: r.op === 'mkdirat' ? 'file.mkdir' : 'file.delete',
          result: 'success',
          target: this.display(p),
        });
        change(p);
        return;
      }
      case 'renameat': {
        const [from, to] = pathsIn(r.args, this.root);
        if (!r.ok || from === undefined || to === undefined) return;
        await this.record(r, {
          action: 'file.move',
          result: 'success',
          target: this.display(from),
          details: { to: this.display(to) },
        });
        change(from);
        change(to);
        return;
      }
      default:
        return;
    }
  }
}
