export * from './energy-service.js';
