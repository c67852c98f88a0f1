import { Pipe, type PipeTransform } from '@angular/core';

/**
 * Quota units as the console shows them. Binary multiples (1 GB = 1024³ bytes), the way Windows Explorer
 * counts the free space that the SMB share reports, so a 10 GB quota shows as 10 GB there.
 */
export type SizeUnit = 'MB' | 'GB';

export const BYTES_PER_UNIT: Readonly<Record<SizeUnit, number>> = { MB: 1024 ** 2, GB: 1024 ** 3 };

/** An amount in MB or GB, as entered in a form, in whole bytes. */
export function toBytes(amount: number, unit: SizeUnit): number {
  return Math.round(amount * BYTES_PER_UNIT[unit]);
}

/** Bytes as an amount in the largest unit that keeps it at least 1 (GB when it divides evenly enough). */
export function fromBytes(bytes: number): { amount: number; unit: SizeUnit } {
  if (bytes >= BYTES_PER_UNIT.GB) return { amount: round(bytes / BYTES_PER_UNIT.GB), unit: 'GB' };
  return { amount: round(bytes / BYTES_PER_UNIT.MB), unit: 'MB' };
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'] as const;

/** Bytes for people: `1536 | byteSize` is "1.5 KB". */
@Pipe({ name: 'byteSize' })
export class ByteSizePipe implements PipeTransform {
  transform(bytes: number | null | undefined): string {
    if (bytes === null || bytes === undefined) return '';
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < UNITS.length - 1) {
      value /= 1024;
      unit++;
    }
    return `${unit === 0 ? value : round(value)} ${UNITS[unit] ?? 'B'}`;
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
