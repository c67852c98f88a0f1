export type { WebdavLogger, WebdavOptions } from './context.js';
export { expectsContinue } from './context.js';
export { createWebdavHandler } from './handler.js';
export { STATUS_BY_CODE } from './errors.js';
export { requestedRange, type RangeResult } from './headers.js';
