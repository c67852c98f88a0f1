export * from './smb-conf.js';
export * from './dfree.js';
export * from './samba-log.js';
export * from './smbstatus.js';
export * from './nss-files.js';
export * from './log-tailer.js';
export * from './supervisor.js';
export * from './samba-tools.js';
