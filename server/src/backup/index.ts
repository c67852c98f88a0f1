export { writeBackup, portableValue, type BackupHeader, type BackupSummary } from './backup.js';
export { restoreBackup } from './restore.js';
export { listTables, inForeignKeyOrder, appliedMigrations, type TableInfo } from './tables.js';
