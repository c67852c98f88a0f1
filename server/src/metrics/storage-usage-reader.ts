import { readdir, statfs } from 'node:fs/promises';
import type { Db } from '../db/index.js';

export interface UsageRow {
  /** Share name or username. */
  readonly name: string;
  readonly usedBytes: number;
  readonly quotaBytes: number | null;
}

export interface FilesystemUsage {
  readonly sizeBytes: number;
  readonly freeBytes: number;
}

/** Usage and quota per share and per user (from the accounting tables), and the data dir's filesystem. */
export class StorageUsageReader {
  constructor(
    private readonly db: Db,
    private readonly dataDir: string,
    private readonly tmpDir: string,
  ) {}

  async shares(): Promise<UsageRow[]> {
    const rows = await this.db('shares as s')
      .leftJoin('storage_usage as u', (j) => {
        j.on('u.subject_id', '=', 's.id').andOn('u.scope', '=', this.db.raw('?', ['share']));
      })
      .select<{ name: string; usedBytes: number | null; quotaBytes: number | null }[]>(
        's.name',
        'u.used_bytes',
        's.quota_bytes',
      );
    return rows.map((r) => ({ name: r.name, usedBytes: r.usedBytes ?? 0, quotaBytes: r.quotaBytes }));
  }

  /** Users that have a quota, with what they use. */
  async usersWithQuota(): Promise<UsageRow[]> {
    const rows = await this.db('users as s')
      .whereNotNull('s.quota_bytes')
      .leftJoin('storage_usage as u', (j) => {
        j.on('u.subject_id', '=', 's.id').andOn('u.scope', '=', this.db.raw('?', ['user']));
      })
      .select<{ username: string; usedBytes: number | null; quotaBytes: number | null }[]>(
        's.username',
        'u.used_bytes',
        's.quota_bytes',
      );
    return rows.map((r) => ({
      name: r.username,
      usedBytes: r.usedBytes ?? 0,
      quotaBytes: r.quotaBytes,
    }));
  }

  /** Size and space available to BaluHost on the data dir's filesystem. */
  async filesystem(): Promise<FilesystemUsage> {
    const s = await statfs(this.dataDir);
    return { sizeBytes: s.blocks * s.bsize, freeBytes: s.bavail * s.bsize };
  }

  /** Uploads in flight in this data dir (every process): the temp files they stream into. */
  async uploadsInFlight(): Promise<number> {
    const names = await readdir(this.tmpDir).catch(() => []);
    return names.filter((n) => n.endsWith('.part')).length;
  }
}
