export * from './metrics-service.js';
export * from './metrics-access.js';
export * from './hardware-snapshot.js';
export * from './storage-usage-reader.js';
