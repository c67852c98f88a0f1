export * from './database.js';
export * from './models.js';
