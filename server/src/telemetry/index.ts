export * from './telemetry-service.js';
export * from './telemetry-store.js';
export * from './telemetry-retention-job.js';
