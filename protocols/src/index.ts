export * from './ports.js';
export * from './webdav/index.js';
export * from './smb/index.js';
