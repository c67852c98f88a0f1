export * from './database.js';
export * from './models.js';
export * from './sql.js';
