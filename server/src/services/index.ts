import type { Config } from '../config/index.js';
import type { Db } from '../db/index.js';
import { AccessTokenSigner } from '../auth/index.js';
import { AuditService } from './audit-service.js';
import { AuthService } from './auth-service.js';
import { DomainEventBus } from './events.js';
import { GroupsService } from './groups-service.js';
import { LoginTracker } from './login-tracker.js';
import { UsersService } from './users-service.js';
import { SharesService } from './shares-service.js';
import { AppPasswordsService } from './app-passwords-service.js';
import { BasicAuthenticator } from './basic-auth.js';
import { TotpService } from './totp-service.js';
import { loadOrCreateSecret } from '../keys.js';
import { StorageCore } from '../storage/storage-core.js';
import type { StorageLayout } from '../storage/layout.js';
import { HardwareService, type HardwareServiceOptions } from '../hardware/hardware-service.js';
import { SmbService } from '../smb/smb-service.js';
import { ServiceStatusService } from '../operations/service-status.js';
import { EnergyService } from '../energy/index.js';
import {
  createMonitoringServices,
  type MonitoringOptions,
  type MonitoringServices,
} from '../scheduler/monitoring-services.js';

export * from './audit-service.js';
export * from './auth-service.js';
export * from './events.js';
export * from './groups-service.js';
export * from './login-tracker.js';
export * from './users-service.js';
export * from './shares-service.js';
export * from './app-passwords-service.js';
export * from './basic-auth.js';
export * from './totp-service.js';

/** The services; the scheduler, telemetry history, metrics and alerts come from {@link MonitoringServices}. */
export interface Services extends MonitoringServices {
  readonly events: DomainEventBus;
  readonly audit: AuditService;
  readonly tracker: LoginTracker;
  readonly users: UsersService;
  readonly groups: GroupsService;
  readonly auth: AuthService;
  readonly shares: SharesService;
  readonly storage: StorageCore;
  readonly appPasswords: AppPasswordsService;
  /** Two-factor login (TOTP) of the console and API; WebDAV and SMB keep passwords and app passwords. */
  readonly totp: TotpService;
  /** HTTP Basic for WebDAV. */
  readonly webdavAuth: BasicAuthenticator;
  /** RAID, S.M.A.R.T., power, fans and telemetry; `start()` it once the database is ready. */
  readonly hardware: HardwareService;
  /** The energy plug (simulated or Tapo): watts, kWh, cost, its settings. */
  readonly energy: EnergyService;
  /** The SMB gateway (Samba); `start()` it once the database is ready, `close()` it on shutdown. */
  readonly smb: SmbService;
  /** Every part's state for GET /api/services; the `service_degraded` alert rule reads its latest sample. */
  readonly serviceStatus: ServiceStatusService;
}

export function createServices(
  db: Db,
  config: Config,
  jwtSecret: string,
  layout: StorageLayout,
  clock: () => number = Date.now,
  hardwareOptions: Omit<HardwareServiceOptions, 'db' | 'config' | 'audit' | 'serverClock'> = {},
  monitoringOptions: MonitoringOptions = {},
  /**
   * Whether this process is the only one serving the database: `baluhost serve` without workers, on SQLite. It
   * may then keep what only it changes in memory (the lock table's emptiness). The CLI and cluster workers pass
   * false.
   */
  soleServer = false,
): Services {
  const events = new DomainEventBus();
  const audit = new AuditService(db, clock);
  const tracker = new LoginTracker(
    db,
    {
      maxFailuresPerUser: config.loginMaxFailures,
      maxFailuresPerAddress: config.addressMaxFailures,
      windowSeconds: config.loginWindowSeconds,
      blockSeconds: config.loginBlockSeconds,
    },
    clock,
  );
  const users = new UsersService(db, audit, events, config.passwordMinLength, clock);
  const groups = new GroupsService(db, audit, events, clock);
  const auth = new AuthService(
    db,
    new AccessTokenSigner(jwtSecret, config.accessTokenTtlSeconds),
    tracker,
    audit,
    { accessSeconds: config.accessTokenTtlSeconds, refreshSeconds: config.refreshTokenTtlSeconds },
    clock,
  );
  const shares = new SharesService(db, layout, audit, events, clock);
  const storage = new StorageCore(db, layout, shares, audit, events, clock, {
    flush: config.fsync,
    soleLockWriter: soleServer && !config.databaseUrl,
  });
  const appPasswords = new AppPasswordsService(db, audit, events, clock);
  const webdavAuth = new BasicAuthenticator(db, auth, appPasswords, events, 'webdav', clock);
  const totp = new TotpService(db, audit, loadOrCreateSecret(config.dataDir, 'totp-key'));
  // A deleted user's home is set aside, not destroyed; their keys and usage go.
  // Once, in the worker that deleted the user (the others hear of it through the relay).
  events.onLocal('user.deleted', ({ userId, username }) => {
    storage.retireHome(userId, username).catch(() => undefined);
  });
  const hardware = new HardwareService({ db, config, audit, serverClock: clock, ...hardwareOptions });
  const energy = new EnergyService({
    db,
    config,
    audit,
    loadPercent: () => hardware.cpuLoadPercent(),
    serverClock: clock,
    ...(hardwareOptions.clock === undefined ? {} : { clock: hardwareOptions.clock }),
    ...(hardwareOptions.logger === undefined
      ? {}
      : { logger: hardwareOptions.logger.child({ component: 'energy' }) }),
  });
  const monitoring = createMonitoringServices(
    { db, config, audit, storage, hardware, energy, clock, events },
    monitoringOptions,
  );
  const smb = new SmbService({
    db,
    config,
    layout,
    events,
    audit,
    tracker,
    shares,
    quota: storage.quota,
    clock,
  });
  // The smbd_down alert: quiet while SMB is switched off. Runs every minute: no Samba tool is started for it.
  monitoring.alerts.useSmbStatus(async () => {
    const status = await smb.liveness();
    if (!status.enabled) return null;
    return { isRunning: status.running, ...(status.lastError === null ? {} : { detail: status.lastError }) };
  });
  const serviceStatus = new ServiceStatusService({
    db,
    config,
    audit,
    hardware,
    energy,
    smb,
    scheduler: monitoring.scheduler,
    clock,
    ...(monitoringOptions.timer === undefined ? {} : { timer: monitoringOptions.timer }),
    ...(monitoringOptions.logger === undefined
      ? {}
      : { logger: monitoringOptions.logger.child({ component: 'services' }) }),
  });
  monitoring.alerts.useServiceProblems(() => serviceStatus.problems());
  return {
    events,
    audit,
    tracker,
    users,
    groups,
    auth,
    shares,
    storage,
    appPasswords,
    totp,
    webdavAuth,
    hardware,
    energy,
    smb,
    serviceStatus,
    ...monitoring,
  };
}
