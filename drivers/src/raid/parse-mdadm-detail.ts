import { toRaidLevel } from './parse-mdstat.js';
import type { RaidLevel } from './raid-driver.js';

/** One row of the device table of `mdadm --detail`. */
export interface MdadmDetailDevice {
  /** The `Number` column; null for `-`. */
  readonly number: number | null;
  readonly major: number;
  readonly minor: number;
  /** The `RaidDevice` slot; null for `-` (spares, faulty members). */
  readonly raidDevice: number | null;
  /** State words, e.g. `['active', 'sync', 'failfast']`, `['removed']`, `[]` when the column is absent. */
  readonly states: readonly string[];
  /** Device path; null for a `removed` slot. */
  readonly device: string | null;
}

/** Parsed `mdadm --detail /dev/mdX`. Sizes from mdadm are KiB. */
export interface MdadmDetail {
  /** e.g. `/dev/md0`. */
  readonly devicePath: string | null;
  readonly version: string | null;
  readonly level: RaidLevel;
  readonly arraySizeKib: number | null;
  readonly usedDevSizeKib: number | null;
  readonly raidDevices: number | null;
  readonly totalDevices: number | null;
  /** The `State` words split on commas, e.g. `['clean', 'degraded', 'recovering']`. */
  readonly stateFlags: readonly string[];
  readonly activeDevices: number | null;
  readonly workingDevices: number | null;
  readonly failedDevices: number | null;
  readonly spareDevices: number | null;
  /** `Rebuild Status : 20% complete` etc., by kind. */
  readonly rebuildPercent: number | null;
  readonly resyncPercent: number | null;
  readonly reshapePercent: number | null;
  readonly checkPercent: number | null;
  readonly uuid: string | null;
  readonly name: string | null;
  readonly devices: readonly MdadmDetailDevice[];
  /** Every `Key : value` pair as printed (trimmed), for fields not modelled above. */
  readonly fields: Readonly<Record<string, string>>;
}

const FIELD = /^\s*([A-Za-z][A-Za-z ]*?)\s*:\s*(.*?)\s*$/;
const ROW = /^\s*(-|\d+)\s+(\d+)\s+(\d+)\s+(-|\d+)(?:\s+(.*?))?\s*$/;

function int(text: string | undefined): number | null {
  if (text === undefined) return null;
  const m = /^-?\d+/.exec(text.trim());
  return m === null ? null : Number(m[0]);
}

function percent(text: string | undefined): number | null {
  if (text === undefined) return null;
  const m = /([\d.]+)%/.exec(text);
  return m?.[1] === undefined ? null : Number(m[1]);
}

function parseRow(line: string): MdadmDetailDevice | null {
  const m = ROW.exec(line);
  if (m?.[1] === undefined || m[2] === undefined || m[3] === undefined || m[4] === undefined) return null;
  const words = (m[5] ?? '').split(/\s+/).filter((w) => w.length > 0);
  const last = words.at(-1);
  const device = last?.startsWith('/') === true ? last : null;
  return {
    number: m[1] === '-' ? null : Number(m[1]),
    major: Number(m[2]),
    minor: Number(m[3]),
    raidDevice: m[4] === '-' ? null : Number(m[4]),
    states: device === null ? words : words.slice(0, -1),
    device,
  };
}

/**
 * Parses `mdadm --detail /dev/mdX`. Accepts both the mdadm 3.x and 4.x column alignments,
 * trailing spaces after values (mdadm prints `clean `), and a device table without a State column.
 */
export function parseMdadmDetail(text: string): MdadmDetail {
  const fields: Record<string, string> = {};
  const devices: MdadmDetailDevice[] = [];
  let devicePath: string | null = null;
  let inTable = false;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim().length === 0) continue;
    if (!inTable && /^\s*Number\s+Major\s+Minor\s+RaidDevice/.test(line)) {
      inTable = true;
      continue;
    }
    if (inTable) {
      const row = parseRow(line);
      if (row !== null) devices.push(row);
      continue;
    }
    const path = /^(\/dev\/\S+):\s*$/.exec(line);
    if (path?.[1] !== undefined) {
      devicePath = path[1];
      continue;
    }
    const field = FIELD.exec(line);
    if (field?.[1] !== undefined && field[2] !== undefined && !(field[1] in fields))
      fields[field[1]] = field[2];
  }
  const state = fields.State ?? '';
  return {
    devicePath,
    version: fields.Version ?? null,
    level: fields['Raid Level'] === undefined ? 'unknown' : toRaidLevel(fields['Raid Level']),
    arraySizeKib: int(fields['Array Size']),
    usedDevSizeKib: int(fields['Used Dev Size']),
    raidDevices: int(fields['Raid Devices']),
    totalDevices: int(fields['Total Devices']),
    stateFlags: state
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter((s) => s.length > 0),
    activeDevices: int(fields['Active Devices']),
    workingDevices: int(fields['Working Devices']),
    failedDevices: int(fields['Failed Devices']),
    spareDevices: int(fields['Spare Devices']),
    rebuildPercent: percent(fields['Rebuild Status']),
    resyncPercent: percent(fields['Resync Status']),
    reshapePercent: percent(fields['Reshape Status']),
    checkPercent: percent(fields['Check Status']),
    uuid: fields.UUID ?? null,
    name: fields.Name ?? null,
    devices,
    fields,
  };
}
