export * from './hardware-service.js';
export * from './driver-errors.js';
export * from './fan-curve-store.js';
