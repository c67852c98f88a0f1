import type { Config } from '../../config/index.js';
import type { Db } from '../../db/index.js';
import type { HardwareService } from '../../hardware/index.js';
import type { StorageCore } from '../../storage/storage-core.js';
import type { AnyJobDefinition } from '../job.js';
import { auditRetentionJob } from './audit-retention-job.js';
import { databaseBackupJob } from './database-backup-job.js';
import { raidScrubJob } from './raid-scrub-job.js';
import { smartScanJob } from './smart-scan-job.js';
import { quotaReconcileJob, uploadCleanupJob } from './storage-jobs.js';

export { SCHEDULER_ACTOR } from './raid-scrub-job.js';

export interface MaintenanceJobDeps {
  readonly db: Db;
  readonly config: Config;
  readonly storage: StorageCore;
  readonly hardware: HardwareService;
}

/** BaluHost's built-in maintenance jobs (telemetry_retention comes with the telemetry history). */
export function maintenanceJobs(deps: MaintenanceJobDeps): AnyJobDefinition[] {
  return [
    raidScrubJob(deps.hardware),
    smartScanJob(deps.hardware),
    quotaReconcileJob(deps.storage),
    uploadCleanupJob(deps.storage),
    auditRetentionJob(deps.db),
    databaseBackupJob(deps.db, deps.config),
  ];
}
