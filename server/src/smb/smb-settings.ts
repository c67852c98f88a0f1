import type { Db } from '../db/index.js';
import { nowIso } from '../db/index.js';
import type { Config } from '../config/index.js';

/** The SMB gateway's settings: the environment gives the defaults, `PUT /api/smb` stores overrides. */
export interface SmbSettings {
  readonly enabled: boolean;
  readonly workgroup: string;
  readonly serverString: string;
  readonly port: number;
  readonly interfaces: readonly string[];
}

/** The `settings` row holding them, as JSON. */
export const SMB_SETTINGS_KEY = 'smb';

export function defaultSmbSettings(config: Config): SmbSettings {
  return {
    enabled: config.smbEnabled,
    workgroup: 'WORKGROUP',
    serverString: 'BaluHost',
    port: config.smbPort,
    interfaces: [...config.smbInterfaces],
  };
}

/** Reads and writes the SMB settings row (all queries of this setting are here). */
export class SmbSettingsStore {
  constructor(
    private readonly db: Db,
    private readonly defaults: SmbSettings,
    private readonly clock: () => number = Date.now,
  ) {}

  async get(trx: Db = this.db): Promise<SmbSettings> {
    const row = await trx('settings')
      .where({ key: SMB_SETTINGS_KEY })
      .first<{ value: string } | undefined>('value');
    if (!row) return this.defaults;
    let stored: Partial<SmbSettings> = {};
    try {
      stored = JSON.parse(row.value) as Partial<SmbSettings>;
    } catch {
      // A row that is not JSON (hand-edited) counts as absent.
    }
    return { ...this.defaults, ...stored };
  }

  async set(settings: SmbSettings, trx: Db = this.db): Promise<void> {
    const value = JSON.stringify(settings);
    const updatedAt = nowIso(this.clock);
    await trx('settings')
      .insert({ key: SMB_SETTINGS_KEY, value, updatedAt })
      .onConflict('key')
      .merge({ value, updatedAt });
  }
}
