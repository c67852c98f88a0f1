import type { TelemetryDriver } from '@baluhost/drivers';
import { AlertService, type DeliveryOptions, type SmbStatusProbe } from '../alerts/index.js';
import type { Config } from '../config/index.js';
import type { Db } from '../db/index.js';
import type { EnergyService } from '../energy/index.js';
import type { HardwareService } from '../hardware/index.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { HardwareSnapshot, MetricsAccess, MetricsService, StorageUsageReader } from '../metrics/index.js';
import type { AuditService } from '../services/audit-service.js';
import type { DomainEventBus } from '../services/events.js';
import type { StorageCore } from '../storage/storage-core.js';
import { TelemetryService, TelemetryStore, telemetryRetentionJob } from '../telemetry/index.js';
import type { AnyJobDefinition } from './job.js';
import { maintenanceJobs } from './jobs/index.js';
import { SchedulerService } from './scheduler-service.js';
import type { IntervalTimer } from './timer.js';

/** What the composition root (and tests) may change about the scheduler, telemetry, metrics and alerts. */
export interface MonitoringOptions {
  /** Root logger; each part logs under its own `component`. Silent when absent. */
  readonly logger?: Logger;
  /** Timer of the scheduler tick, lease renewal, telemetry sampling and alert rules (tests drive their own). */
  readonly timer?: IntervalTimer;
  /** Jobs added to the built-in ones (tests use this for a job that waits or fails on demand). */
  readonly extraJobs?: readonly AnyJobDefinition[];
  /** The telemetry history's source (its own real driver by default; tests pass a deterministic one). */
  readonly telemetryDriver?: TelemetryDriver;
  /** Webhook retry delays and the wait between them (tests shorten them). */
  readonly delivery?: DeliveryOptions;
  /** Whether smbd runs, for the smbd_down alert rule (createServices binds the SMB gateway with `alerts.useSmbStatus`). */
  readonly smbStatus?: SmbStatusProbe;
}

/** The scheduler, telemetry history, metrics and alerts, as members of the services. */
export interface MonitoringServices {
  /** Maintenance jobs on schedules. */
  readonly scheduler: SchedulerService;
  /** Host telemetry history (CPU, memory, network, disk I/O). */
  readonly telemetry: TelemetryService;
  /** The Prometheus registry and the request hooks. */
  readonly metrics: MetricsService;
  /** Who may scrape /api/metrics. */
  readonly metricsAccess: MetricsAccess;
  /** Alert rules and notifications. */
  readonly alerts: AlertService;
}

export interface MonitoringDeps {
  readonly db: Db;
  readonly config: Config;
  readonly audit: AuditService;
  readonly storage: StorageCore;
  readonly hardware: HardwareService;
  /** The energy plug: its draw is sampled into the telemetry history and exported as metrics. */
  readonly energy?: EnergyService;
  readonly clock: () => number;
  readonly events: DomainEventBus;
}

/** Builds the monitoring services. Starts no timer (see {@link startMonitoring}). */
export function createMonitoringServices(
  deps: MonitoringDeps,
  options: MonitoringOptions = {},
): MonitoringServices {
  const logger = options.logger ?? createLogger('fatal');
  const timer = options.timer === undefined ? {} : { timer: options.timer };
  const telemetry = new TelemetryService({
    store: new TelemetryStore(deps.db),
    intervalSeconds: deps.config.telemetryIntervalSeconds,
    clock: deps.clock,
    logger: logger.child({ component: 'telemetry' }),
    ...timer,
    ...(options.telemetryDriver === undefined ? {} : { driver: options.telemetryDriver }),
  });
  const energy = deps.energy;
  if (energy !== undefined) {
    telemetry.addSource(async () =>
      (await energy.isConfigured()) ? { 'energy.power_watts': await energy.sampleWatts() } : {},
    );
  }
  const scheduler = new SchedulerService({
    db: deps.db,
    audit: deps.audit,
    clock: deps.clock,
    ...timer,
    logger: logger.child({ component: 'scheduler' }),
    jobs: [...maintenanceJobs(deps), telemetryRetentionJob(telemetry), ...(options.extraJobs ?? [])],
  });
  const snapshot = new HardwareSnapshot(deps.hardware);
  const usage = new StorageUsageReader(deps.db, deps.config.dataDir, deps.storage.layout.tmp);
  const metrics = new MetricsService({
    snapshot,
    usage,
    ...(energy === undefined ? {} : { energy: () => energy.recentStatus() }),
  });
  scheduler.onExecutionFinished((e) => {
    metrics.countSchedulerRun(e.job, e.status);
  });
  deps.events.on('share.changed', () => {
    metrics.invalidateStorage();
  });
  deps.events.on('storage.changed', () => {
    metrics.invalidateStorage();
  });
  deps.audit.observe((event, protocol) => {
    if (event.action === 'auth.login' && event.result === 'failure') metrics.countFailedLogin(protocol);
  });
  const alerts = new AlertService({
    db: deps.db,
    audit: deps.audit,
    snapshot,
    usage,
    scheduler,
    temperatureCelsius: deps.config.alertDiskTemperatureCelsius,
    fullPercent: deps.config.alertFullPercent,
    clock: deps.clock,
    ...timer,
    logger: logger.child({ component: 'alerts' }),
    ...(options.delivery === undefined ? {} : { delivery: options.delivery }),
    ...(options.smbStatus === undefined ? {} : { smbStatus: options.smbStatus }),
  });
  const metricsAccess = new MetricsAccess(deps.config.metricsToken, deps.config.metricsAllow);
  return { scheduler, telemetry, metrics, metricsAccess, alerts };
}

/** Starts the scheduler (it runs what was missed while the server was down), telemetry sampling and alert rules. */
export async function startMonitoring(services: MonitoringServices): Promise<void> {
  await services.scheduler.start();
  services.telemetry.start();
  services.alerts.start();
}

/** Stops the timers and waits for runs in progress (they are aborted) and deliveries under way. */
export async function stopMonitoring(services: MonitoringServices): Promise<void> {
  await services.alerts.close();
  await services.telemetry.close();
  await services.scheduler.close();
}
