import path from 'node:path';
import {
  createEnergyDriver,
  SimulatedEnergyDriver,
  SYSTEM_CLOCK,
  type Clock,
  type DriverMode,
  type EnergyDriver,
  type EnergyMeter,
} from '@baluhost/drivers';
import { openSecret, sealSecret } from '../auth/totp.js';
import type { Config } from '../config/index.js';
import type { Db } from '../db/index.js';
import { nowIso } from '../db/index.js';
import { NotFoundError } from '../errors/index.js';
import { callDriver } from '../hardware/driver-errors.js';
import { loadOrCreateSecret } from '../keys.js';
import { createLogger, type Logger } from '../logging/logger.js';
import type { AuditActor, AuditService } from '../services/audit-service.js';

/** The `settings` row of the plug's address and the price (JSON). */
export const ENERGY_SETTINGS_KEY = 'energy';
/**
 * The `settings` row of the Tapo account, sealed with AES-256-GCM under `<data dir>/keys/energy-key`. Its key
 * names a credential, so the database inspector redacts it as well.
 */
export const ENERGY_CREDENTIALS_KEY = 'energy.credentials';
/** Key file (under `<data dir>/keys`) that seals the Tapo account. */
export const ENERGY_KEY_FILE = 'energy-key';
/** The meter id of the one plug BaluHost reads. */
export const ENERGY_METER_ID = 'nas';

/** The energy settings as every response shows them: never the account, only whether one is stored. */
export interface EnergySettings {
  /** The Tapo plug's address (`host` or `host:port`); null when none is set. Unused by the simulated plug. */
  readonly plugHost: string | null;
  /** Whether a Tapo account (email and password) is stored. */
  readonly hasCredentials: boolean;
  /** Price of one kWh, in `currency`. */
  readonly pricePerKwh: number;
  readonly currency: string;
}

/** A change of the settings; `username` and `password` come together. */
export interface EnergySettingsUpdate {
  readonly plugHost?: string | null;
  readonly username?: string;
  readonly password?: string;
  readonly pricePerKwh?: number;
  readonly currency?: string;
}

/** What GET /api/energy answers. */
export interface EnergyStatus {
  /** `simulated` or `real` (Tapo). */
  readonly backend: DriverMode;
  /** False when the real backend has no plug address or account yet (all readings are then null). */
  readonly configured: boolean;
  readonly plug: EnergyMeter | null;
  readonly powerWatts: number | null;
  readonly todayKwh: number | null;
  readonly monthKwh: number | null;
  /** `todayKwh` × the price, rounded to the cent. */
  readonly costToday: number | null;
  readonly costMonth: number | null;
  readonly pricePerKwh: number;
  readonly currency: string;
  /** When the reading was taken, ISO; null without one. */
  readonly readAt: string | null;
}

interface StoredSettings {
  plugHost: string | null;
  pricePerKwh: number;
  currency: string;
}

interface Credentials {
  username: string;
  password: string;
}

export interface EnergyServiceOptions {
  readonly db: Db;
  readonly config: Config;
  readonly audit: AuditService;
  /** What the simulated plug's draw follows: the CPU load now, 0-100 %. */
  readonly loadPercent: () => Promise<number>;
  /** The drivers' clock (a ManualClock in tests). */
  readonly clock?: Clock;
  /** Clock of database timestamps. */
  readonly serverClock?: () => number;
  readonly logger?: Logger;
}

/** Rounds to `digits` decimals. */
function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * What the NAS draws at the wall, through the energy driver: the simulated plug (BALUHOST_HARDWARE__ENERGY
 * or BALUHOST_HARDWARE `simulated`) or a TP-Link Tapo P110/P115 on the LAN (`real`), whose address and account
 * are set with {@link EnergyService.updateSettings}. The account is stored sealed (AES-256-GCM) and never leaves
 * the server; the price per kWh defaults to BALUHOST_ENERGY_PRICE.
 *
 * Driver errors leave as AppErrors with the same code (DRIVER_UNAVAILABLE 503, DRIVER_TIMEOUT 504,
 * DRIVER_FAILED 503). Construction does no I/O.
 */
export class EnergyService {
  readonly mode: DriverMode;
  private readonly db: Db;
  private readonly config: Config;
  private readonly audit: AuditService;
  private readonly loadPercent: () => Promise<number>;
  private readonly clock: Clock;
  private readonly serverClock: () => number;
  private readonly logger: Logger;
  private keyMaterial: string | null = null;
  /** The driver for the stored settings; null until first use and after a change. */
  private driver: Promise<EnergyDriver | null> | null = null;
  /** The settings rows the real driver was built from (see {@link EnergyService.settingsVersion}). */
  private driverBuiltFrom: string | null = null;
  private latest: { atMs: number; status: Promise<EnergyStatus> } | null = null;

  constructor(options: EnergyServiceOptions) {
    this.db = options.db;
    this.config = options.config;
    this.audit = options.audit;
    this.loadPercent = options.loadPercent;
    this.clock = options.clock ?? SYSTEM_CLOCK;
    this.serverClock = options.serverClock ?? Date.now;
    this.logger = options.logger ?? createLogger('fatal');
    this.mode = options.config.hardwareEnergyMode ?? options.config.hardwareMode;
  }

  /** The settings, without the account. */
  async settings(): Promise<EnergySettings> {
    const [stored, sealed] = await Promise.all([this.readSettings(), this.readSealed()]);
    return { ...stored, hasCredentials: sealed !== null };
  }

  /**
   * Stores a change of the settings, audited (`energy.update_settings`, the account never in the details), and
   * uses the new plug from the next reading on.
   */
  async updateSettings(actor: AuditActor, update: EnergySettingsUpdate): Promise<EnergySettings> {
    const current = await this.readSettings();
    const next: StoredSettings = {
      plugHost: update.plugHost === undefined ? current.plugHost : update.plugHost,
      pricePerKwh: update.pricePerKwh ?? current.pricePerKwh,
      currency: update.currency ?? current.currency,
    };
    const hasNewCredentials = update.username !== undefined && update.password !== undefined;
    const updatedAt = nowIso(this.serverClock);
    await this.db.transaction(async (trx) => {
      const value = JSON.stringify(next);
      await trx('settings')
        .insert({ key: ENERGY_SETTINGS_KEY, value, updatedAt })
        .onConflict('key')
        .merge({ value, updatedAt });
      if (hasNewCredentials) {
        const credentials: Credentials = { username: update.username, password: update.password };
        const sealed = sealSecret(Buffer.from(JSON.stringify(credentials), 'utf8'), this.key());
        await trx('settings')
          .insert({ key: ENERGY_CREDENTIALS_KEY, value: sealed, updatedAt })
          .onConflict('key')
          .merge({ value: sealed, updatedAt });
      }
      await this.audit.record(
        actor,
        {
          action: 'energy.update_settings',
          result: 'success',
          target: 'energy',
          details: { ...next, credentialsChanged: hasNewCredentials },
        },
        trx,
      );
    });
    this.driver = null;
    this.latest = null;
    return this.settings();
  }

  /**
   * Simulation hook (demo data): sets the simulated plug's day's and month's counters, in watt-hours. Audited
   * (`energy.simulation.set_counters`). @throws NotFoundError unless the energy backend is simulated.
   */
  async setSimulatedCounters(actor: AuditActor, todayWh: number, monthWh: number): Promise<void> {
    const driver = await this.currentDriver();
    if (!(driver instanceof SimulatedEnergyDriver)) {
      throw new NotFoundError(
        'The energy simulation hooks exist only with the simulated plug (BALUHOST_HARDWARE__ENERGY=simulated).',
      );
    }
    await callDriver(() => driver.setCounters(todayWh, monthWh));
    this.latest = null;
    await this.audit.record(actor, {
      action: 'energy.simulation.set_counters',
      result: 'success',
      target: ENERGY_METER_ID,
      details: { todayWh, monthWh },
    });
  }

  /** Whether readings can be taken: always for the simulated plug; with an address and an account for Tapo. */
  async isConfigured(): Promise<boolean> {
    return (await this.currentDriver()) !== null;
  }

  /**
   * Reads the plug now: watts, today's and this month's kWh, their cost at the stored price.
   * @throws AppError DRIVER_UNAVAILABLE / DRIVER_TIMEOUT / DRIVER_FAILED when the plug cannot be read.
   */
  async status(): Promise<EnergyStatus> {
    const [driver, settings] = await Promise.all([this.currentDriver(), this.readSettings()]);
    const base = { backend: this.mode, pricePerKwh: settings.pricePerKwh, currency: settings.currency };
    if (driver === null) {
      return {
        ...base,
        configured: false,
        plug: null,
        powerWatts: null,
        todayKwh: null,
        monthKwh: null,
        costToday: null,
        costMonth: null,
        readAt: null,
      };
    }
    const [meters, reading] = await callDriver(() =>
      Promise.all([driver.listMeters(), driver.getReading(ENERGY_METER_ID)]),
    );
    const todayKwh = reading.todayEnergyWh === null ? null : round(reading.todayEnergyWh / 1000, 3);
    const monthKwh = reading.monthEnergyWh === null ? null : round(reading.monthEnergyWh / 1000, 3);
    const status: EnergyStatus = {
      ...base,
      configured: true,
      plug: meters.find((m) => m.id === ENERGY_METER_ID) ?? null,
      powerWatts: reading.powerWatts,
      todayKwh,
      monthKwh,
      costToday: todayKwh === null ? null : round(todayKwh * settings.pricePerKwh, 2),
      costMonth: monthKwh === null ? null : round(monthKwh * settings.pricePerKwh, 2),
      readAt: new Date(reading.atMs).toISOString(),
    };
    this.latest = { atMs: performance.now(), status: Promise.resolve(status) };
    return status;
  }

  /**
   * A reading no older than `maxAgeMs` (real time), for metrics scrapes: concurrent callers share one. Null when
   * the plug is not configured or cannot be read.
   */
  async recentStatus(maxAgeMs = 5_000): Promise<EnergyStatus | null> {
    const now = performance.now();
    if (this.latest === null || now - this.latest.atMs >= maxAgeMs || now < this.latest.atMs) {
      this.latest = { atMs: now, status: this.status() };
    }
    try {
      const status = await this.latest.status;
      return status.configured ? status : null;
    } catch {
      return null;
    }
  }

  /** The current draw for the telemetry history; null when there is no plug to read. */
  async sampleWatts(): Promise<number | null> {
    const status = await this.status();
    return status.powerWatts;
  }

  /**
   * The driver for the stored settings. The real one is built again when the settings rows changed, also when
   * another process on the same database changed them (another worker, another host).
   */
  private async currentDriver(): Promise<EnergyDriver | null> {
    if (this.mode === 'real') {
      const version = await this.settingsVersion();
      if (version !== this.driverBuiltFrom) {
        this.driver = null;
        this.driverBuiltFrom = version;
      }
    }
    this.driver ??= this.buildDriver().catch((err: unknown) => {
      this.driver = null;
      throw err;
    });
    return this.driver;
  }

  /** The energy settings rows as one string: it changes whenever either row does (a new seal every time). */
  private async settingsVersion(): Promise<string> {
    const rows = await this.db('settings')
      .whereIn('key', [ENERGY_SETTINGS_KEY, ENERGY_CREDENTIALS_KEY])
      .select<{ key: string; value: string }[]>('key', 'value');
    return rows
      .map((r) => `${r.key}=${r.value}`)
      .sort()
      .join('\n');
  }

  private async buildDriver(): Promise<EnergyDriver | null> {
    if (this.mode === 'simulated') {
      return createEnergyDriver({
        mode: 'simulated',
        clock: this.clock,
        loadPercent: this.loadPercent,
        stateDir: path.join(this.config.dataDir, 'hardware'),
      });
    }
    const [settings, credentials] = await Promise.all([this.readSettings(), this.readCredentials()]);
    if (settings.plugHost === null || credentials === null) return null;
    this.logger.info({ plugHost: settings.plugHost }, 'energy plug configured');
    return createEnergyDriver({
      mode: 'real',
      clock: this.clock,
      plugs: [{ id: ENERGY_METER_ID, host: settings.plugHost }],
      username: credentials.username,
      password: credentials.password,
    });
  }

  private async readSettings(): Promise<StoredSettings> {
    const defaults: StoredSettings = {
      plugHost: null,
      pricePerKwh: this.config.energyPricePerKwh,
      currency: this.config.energyCurrency,
    };
    const row = await this.db('settings')
      .where({ key: ENERGY_SETTINGS_KEY })
      .first<{ value: string } | undefined>('value');
    if (row === undefined) return defaults;
    try {
      return { ...defaults, ...(JSON.parse(row.value) as Partial<StoredSettings>) };
    } catch {
      // A hand-edited row that is not JSON counts as absent.
      return defaults;
    }
  }

  private async readSealed(): Promise<string | null> {
    const row = await this.db('settings')
      .where({ key: ENERGY_CREDENTIALS_KEY })
      .first<{ value: string } | undefined>('value');
    return row?.value ?? null;
  }

  private async readCredentials(): Promise<Credentials | null> {
    const sealed = await this.readSealed();
    if (sealed === null) return null;
    try {
      return JSON.parse(openSecret(sealed, this.key()).toString('utf8')) as Credentials;
    } catch (err) {
      // The key file was replaced: the account has to be entered again.
      this.logger.warn({ err }, 'stored energy plug account cannot be opened');
      return null;
    }
  }

  private key(): string {
    this.keyMaterial ??= loadOrCreateSecret(this.config.dataDir, ENERGY_KEY_FILE);
    return this.keyMaterial;
  }
}
