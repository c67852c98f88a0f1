import { z } from 'zod';
import type { FanCurve, FanCurveInput } from '@baluhost/drivers';
import type { Db } from '../db/index.js';

/** The `settings` key under which the fan curves live, as JSON keyed by fan id. */
export const FAN_CURVES_SETTING = 'fans.curves';

/** A fan's stored curve, what it reads, and whether it drives the fan now. */
export interface StoredFanCurve {
  readonly curve: FanCurve;
  readonly input: FanCurveInput;
  /** False once the fan was switched to auto or manual; PUT mode `curve` turns it back on. */
  readonly isActive: boolean;
}

const STORED_FAN_CURVE = z.object({
  curve: z.object({
    points: z.array(z.object({ temperatureCelsius: z.number(), pwmPercent: z.number() })),
    hysteresisCelsius: z.number(),
    minPwmPercent: z.number(),
    maxPwmPercent: z.number(),
  }),
  input: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('sensor'), sensorId: z.string() }),
    z.object({ kind: z.literal('hottest-disk') }),
  ]),
  isActive: z.boolean(),
});

/** The fan curves in the `settings` table (the repository: all queries of this setting are here). */
export class FanCurveStore {
  constructor(private readonly db: Db) {}

  /**
   * Every stored curve by fan id. Entries that no longer parse are left out and named in `invalid`
   * (the caller logs them); they are overwritten by the next change.
   */
  async read(trx: Db = this.db): Promise<{ curves: Map<string, StoredFanCurve>; invalid: string[] }> {
    const row = (await trx('settings').where({ key: FAN_CURVES_SETTING }).first()) as
      { value: string } | undefined;
    const curves = new Map<string, StoredFanCurve>();
    const invalid: string[] = [];
    if (row === undefined) return { curves, invalid };
    let stored: unknown;
    try {
      stored = JSON.parse(row.value);
    } catch {
      return { curves, invalid: ['*'] };
    }
    if (typeof stored !== 'object' || stored === null) return { curves, invalid: ['*'] };
    for (const [fanId, value] of Object.entries(stored)) {
      const parsed = STORED_FAN_CURVE.safeParse(value);
      if (parsed.success) curves.set(fanId, parsed.data);
      else invalid.push(fanId);
    }
    return { curves, invalid };
  }

  /** Replaces the stored curves. */
  async write(trx: Db, curves: ReadonlyMap<string, StoredFanCurve>, updatedAt: string): Promise<void> {
    const value = JSON.stringify(Object.fromEntries([...curves].sort(([a], [b]) => a.localeCompare(b))));
    await trx('settings')
      .insert({ key: FAN_CURVES_SETTING, value, updatedAt })
      .onConflict('key')
      .merge({ value, updatedAt });
  }
}
