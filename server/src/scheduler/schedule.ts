import later from '@breejs/later';
import { ValidationError } from '../errors/index.js';

/** A parsed schedule: its text and the occurrences it generates. */
export interface Schedule {
  readonly text: string;
  readonly kind: 'text' | 'cron';
  /** The latest occurrence at or before `atMs`, or null when there is none (within later's search). */
  previous(atMs: number): number | null;
  /** The next `count` occurrences strictly after `afterMs`. */
  next(count: number, afterMs: number): number[];
}

/** Cron fields in order, with the values each accepts (seconds first in the 6-field form). */
const CRON_FIELDS: readonly { name: string; min: number; max: number; names?: readonly string[] }[] = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
  },
  { name: 'day of week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

const CRON_LIKE = /^[\d*?/,\-A-Za-z#]+(\s+[\d*?/,\-A-Za-z#]+){4,5}$/;
/** later's text grammar starts with one of these words; anything else with 5 or 6 fields is read as cron. */
const TEXT_START = /^(every|at|on|after|before|in|of|the|first|last|also|except|starting|between)\b/i;

function invalid(text: string, problem: string): ValidationError {
  return new ValidationError(`Invalid schedule '${text}': ${problem}.`, {
    details: [{ field: 'schedule', message: problem }],
  });
}

/** Checks one cron field's values against its range; later would silently clamp or drop them. */
function checkCronField(text: string, value: string, field: (typeof CRON_FIELDS)[number]): void {
  if (value === '*' || value === '?') return;
  for (const part of value.split(',')) {
    const [range, step, extra] = part.split('/');
    if (extra !== undefined || range === undefined || range === '') {
      throw invalid(text, `the ${field.name} field '${value}' is malformed`);
    }
    if (step !== undefined && !/^[1-9]\d*$/.test(step)) {
      throw invalid(text, `the ${field.name} field has an invalid step '${step}'`);
    }
    if (range === '*') continue;
    for (const bound of range.split('-')) {
      const upper = bound.toUpperCase();
      const named = field.names?.indexOf(upper) ?? -1;
      const n =
        named >= 0 ? named + (field.name === 'month' ? 1 : 0) : /^\d+$/.test(bound) ? Number(bound) : NaN;
      if (Number.isNaN(n)) throw invalid(text, `the ${field.name} field has an invalid value '${bound}'`);
      if (n < field.min || n > field.max) {
        throw invalid(text, `the ${field.name} field value ${n} is out of range (${field.min}-${field.max})`);
      }
    }
  }
}

/**
 * Parses a schedule in @breejs/later's text form (`every 1 hour`, `at 03:00 on Sunday`) or cron form (5 fields,
 * or 6 with seconds first). Times are the server's local time.
 * @throws ValidationError whose message names the problem (the position later stopped at, the cron field out of
 * range, or a schedule that never fires).
 */
export function parseSchedule(input: string): Schedule {
  const text = input.trim().replace(/\s+/g, ' ');
  if (text === '') throw invalid(input, 'it is empty');
  if (text.length > 200) throw invalid(text.slice(0, 40) + '…', 'it is longer than 200 characters');
  let data: later.ScheduleData;
  let kind: 'text' | 'cron';
  if (CRON_LIKE.test(text) && !TEXT_START.test(text)) {
    const fields = text.split(' ');
    const hasSeconds = fields.length === 6;
    const specs = hasSeconds ? CRON_FIELDS : CRON_FIELDS.slice(1);
    fields.forEach((value, i) => {
      const spec = specs[i];
      if (spec) checkCronField(text, value, spec);
    });
    data = later.parse.cron(text, hasSeconds);
    kind = 'cron';
  } else {
    data = later.parse.text(text);
    if (data.error >= 0) {
      const rest = text.slice(data.error);
      throw invalid(
        text,
        `it could not be read from character ${data.error + 1}${rest === '' ? '' : ` ('${rest.slice(0, 30)}')`}` +
          ` (examples: 'every 1 hour', 'at 03:00 on Sunday', or cron '0 3 * * 0')`,
      );
    }
    kind = 'text';
  }
  const compiled = later.schedule(data);
  const first = compiled.next(1, new Date()) as Date[] | Date | 0;
  if (!(first instanceof Date)) throw invalid(text, 'it never runs');
  return {
    text,
    kind,
    previous(atMs) {
      const prev = compiled.prev(1, new Date(atMs)) as Date[] | Date | 0;
      return prev instanceof Date ? prev.getTime() : null;
    },
    next(count, afterMs) {
      // later includes the start instant when it matches; ask from one second later.
      const found = compiled.next(count, new Date(afterMs + 1000)) as Date[] | Date | 0;
      if (found === 0) return [];
      const list = Array.isArray(found) ? found : [found];
      return list.map((d) => d.getTime());
    },
  };
}
