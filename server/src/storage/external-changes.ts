import path from 'node:path';
import { lstat, readdir } from 'node:fs/promises';
import type { Db } from '../db/index.js';
import type { StorageLayout } from './layout.js';
import type { QuotaLedger } from './quota.js';

/** A file or folder some other program (smbd) created, changed, moved or removed in the data root. */
export interface ExternalChange {
  /** Absolute path in the data root, as the other program reported it. */
  readonly absPath: string;
  /** The BaluHost user who made the change, when known. */
  readonly userId: number | null;
}

interface FileItem {
  readonly key: string;
  readonly size: number;
  readonly uid: number;
}

async function walk(dir: string, key: string, out: FileItem[], withDirs: boolean): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const d of entries) {
    // Links are never followed (nor counted): nothing planted in the data root may point outside it.
    if (d.isSymbolicLink()) continue;
    const abs = path.join(dir, d.name);
    const childKey = `${key}/${d.name}`;
    if (d.isDirectory()) {
      if (withDirs) {
        const st = await lstat(abs).catch(() => null);
        if (st) out.push({ key: childKey, size: -1, uid: st.uid });
      }
      await walk(abs, childKey, out, withDirs);
    } else if (d.isFile()) {
      const st = await lstat(abs).catch(() => null);
      if (st) out.push({ key: childKey, size: st.size, uid: st.uid });
    }
  }
}

/**
 * Brings the core's bookkeeping in step with changes made in the data root by another program, the way a
 * reconcile would, but only for the homes and shares those changes touched: new files in a share get an owner
 * (the user who made the change, else the one whose Unix uid the file carries), ownership rows of files that are
 * gone are dropped, and the usage of the affected users and shares is recounted from disk.
 *
 * Like reconcile, a recount races with a core write committing at the same moment (the next recount corrects it).
 */
export class ExternalChanges {
  constructor(
    private readonly db: Db,
    private readonly layout: StorageLayout,
    private readonly quota: QuotaLedger,
  ) {}

  /**
   * Adopts a batch of changes. `userForUid` maps a file's uid to a BaluHost user id (null: none).
   * Returns the users whose usage was recounted.
   */
  async adopt(
    changes: readonly ExternalChange[],
    userForUid: (uid: number) => number | null,
  ): Promise<number[]> {
    const homes = new Set<string>();
    const shares = new Map<string, number | null>();
    const changedBy = new Map<string, number>();
    const users = new Set<number>();
    for (const change of changes) {
      const rel = (base: string): string[] | null => {
        const r = path.relative(base, change.absPath);
        return r === '' || r.startsWith('..') || path.isAbsolute(r) ? null : r.split(path.sep);
      };
      const home = rel(this.layout.homes);
      const share = rel(this.layout.shares);
      if (home?.[0] !== undefined) homes.add(home[0]);
      if (share?.[0] !== undefined) {
        shares.set(share[0], null);
        if (change.userId !== null) {
          changedBy.set(share.join('/'), change.userId);
          users.add(change.userId);
        }
      }
    }
    if (homes.size > 0) {
      const rows = await this.db('users')
        .whereIn('username', [...homes])
        .select<{ id: number }[]>('id');
      for (const r of rows) users.add(r.id);
    }
    for (const name of shares.keys()) {
      const row = await this.db('shares').where({ name }).first<{ id: number } | undefined>('id');
      if (!row) continue;
      for (const owner of await this.adoptShare(row.id, name, changedBy, userForUid)) users.add(owner);
    }
    for (const userId of users) await this.recountUser(userId);
    return [...users].sort((a, b) => a - b);
  }

  /** Records owners of new files and folders in a share, forgets gone ones, recounts it. Returns its owners. */
  private async adoptShare(
    shareId: number,
    name: string,
    changedBy: ReadonlyMap<string, number>,
    userForUid: (uid: number) => number | null,
  ): Promise<Set<number>> {
    const base = `s:${shareId}`;
    const items: FileItem[] = [];
    await walk(path.join(this.layout.shares, name), base, items, true);
    const known = new Map<string, number | null>();
    const rows = await this.db('file_owners')
      .where((q) => {
        void q
          .where('resource_key', base)
          .orWhereRaw('substr(resource_key, 1, ?) = ?', [base.length + 1, `${base}/`]);
      })
      .select<{ resourceKey: string; ownerId: number | null }[]>('resource_key', 'owner_id');
    for (const r of rows) known.set(r.resourceKey, r.ownerId);
    const present = new Set(items.map((i) => i.key));
    const gone = rows.filter((r) => !present.has(r.resourceKey));
    const owners = new Set<number>();
    for (const r of gone) if (r.ownerId !== null) owners.add(r.ownerId);
    const fresh: { resourceKey: string; ownerId: number | null }[] = [];
    for (const item of items) {
      if (known.has(item.key)) {
        const owner = known.get(item.key);
        if (owner !== undefined && owner !== null) owners.add(owner);
        continue;
      }
      const rel = `${name}/${item.key.slice(base.length + 1)}`;
      const owner = changedBy.get(rel) ?? userForUid(item.uid);
      fresh.push({ resourceKey: item.key, ownerId: owner });
      if (owner !== null) owners.add(owner);
    }
    const bytes = items.reduce((a, i) => a + Math.max(0, i.size), 0);
    await this.db.transaction(async (trx) => {
      for (let i = 0; i < gone.length; i += 500)
        await trx('file_owners')
          .whereIn(
            'resource_key',
            gone.slice(i, i + 500).map((g) => g.resourceKey),
          )
          .delete();
      for (let i = 0; i < fresh.length; i += 200)
        await trx('file_owners')
          .insert(fresh.slice(i, i + 200))
          .onConflict('resource_key')
          .ignore();
      await this.quota.set(trx, 'share', shareId, bytes);
    });
    return owners;
  }

  /** A user's usage: their home plus the files they own in shares. */
  private async recountUser(userId: number): Promise<void> {
    const user = await this.db('users')
      .where({ id: userId })
      .first<{ username: string } | undefined>('username');
    if (!user) return;
    const items: FileItem[] = [];
    await walk(path.join(this.layout.homes, user.username), `u:${userId}`, items, false);
    let bytes = items.reduce((a, i) => a + i.size, 0);
    const owned = await this.db('file_owners')
      .where({ ownerId: userId })
      .select<{ resourceKey: string }[]>('resource_key');
    const shareNames = new Map<number, string>();
    for (const s of await this.db('shares').select<{ id: number; name: string }[]>('id', 'name'))
      shareNames.set(s.id, s.name);
    for (const { resourceKey } of owned) {
      const m = /^s:(\d+)\/(.+)$/.exec(resourceKey);
      const name = m ? shareNames.get(Number(m[1])) : undefined;
      if (!m?.[2] || name === undefined) continue;
      const st = await lstat(path.join(this.layout.shares, name, ...m[2].split('/'))).catch(() => null);
      if (st?.isFile()) bytes += st.size;
    }
    await this.db.transaction((trx) => this.quota.set(trx, 'user', userId, bytes));
  }
}
