export * from './config/index.js';
export * from './errors/index.js';
export * from './server.js';
export type { Principal, RequestOrigin } from './auth/index.js';
