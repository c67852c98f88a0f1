export * from './ports.js';
export * from './webdav/index.js';
