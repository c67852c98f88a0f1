export * from './smb-service.js';
export * from './smb-settings.js';
export * from './unix-accounts.js';
export * from './audit-ingest.js';
