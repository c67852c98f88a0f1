export * from './job.js';
export * from './schedule.js';
export * from './scheduler-service.js';
export type { ExecutionRow, ExecutionFilter } from './scheduler-repository.js';
export { maintenanceJobs, SCHEDULER_ACTOR, type MaintenanceJobDeps } from './jobs/index.js';
export { SYSTEM_TIMER, type IntervalTimer } from './timer.js';
