import type { Config } from '../config/index.js';
import type { Db } from '../db/index.js';
import type { HardwareService } from '../hardware/index.js';
import { createLogger, type Logger } from '../logging/logger.js';
import type { AuditService } from '../services/audit-service.js';
import type { DomainEventBus } from '../services/events.js';
import type { StorageCore } from '../storage/storage-core.js';
import type { AnyJobDefinition } from './job.js';
import { maintenanceJobs } from './jobs/index.js';
import { SchedulerService } from './scheduler-service.js';
import type { IntervalTimer } from './timer.js';

/** What the composition root (and tests) may change about the scheduler, telemetry, metrics and alerts. */
export interface MonitoringOptions {
  /** Root logger; each part logs under its own `component`. Silent when absent. */
  readonly logger?: Logger;
  /** Timer of the scheduler tick and lease renewal (the global timers by default; tests drive their own). */
  readonly timer?: IntervalTimer;
  /** Jobs added to the built-in ones (tests use this for a job that waits or fails on demand). */
  readonly extraJobs?: readonly AnyJobDefinition[];
}

/** The scheduler, telemetry history, metrics and alerts, as members of the services. */
export interface MonitoringServices {
  /** Maintenance jobs on schedules; `start()` it once the server listens. */
  readonly scheduler: SchedulerService;
}

export interface MonitoringDeps {
  readonly db: Db;
  readonly config: Config;
  readonly audit: AuditService;
  readonly storage: StorageCore;
  readonly hardware: HardwareService;
  readonly clock: () => number;
  readonly events: DomainEventBus;
}

/** Builds the monitoring services. Does no I/O and starts no timer (see {@link startMonitoring}). */
export function createMonitoringServices(
  deps: MonitoringDeps,
  options: MonitoringOptions = {},
): MonitoringServices {
  const logger = options.logger ?? createLogger('fatal');
  const scheduler = new SchedulerService({
    db: deps.db,
    audit: deps.audit,
    clock: deps.clock,
    ...(options.timer === undefined ? {} : { timer: options.timer }),
    logger: logger.child({ component: 'scheduler' }),
    jobs: [...maintenanceJobs(deps), ...(options.extraJobs ?? [])],
  });
  return { scheduler };
}

/** Starts the scheduler (it runs what was missed while the server was down). */
export async function startMonitoring(services: MonitoringServices): Promise<void> {
  await services.scheduler.start();
}

/** Stops the timers and waits for runs in progress (they are aborted). */
export async function stopMonitoring(services: MonitoringServices): Promise<void> {
  await services.scheduler.close();
}
