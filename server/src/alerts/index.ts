export * from './alert-service.js';
export * from './email-delivery.js';
export * from './notification-repository.js';
export * from './webhook-delivery.js';
