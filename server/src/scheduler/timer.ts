export { SYSTEM_TIMER, type IntervalTimer } from '@baluhost/drivers';
