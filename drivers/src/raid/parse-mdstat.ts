import type { RaidLevel, RaidSyncAction } from './raid-driver.js';

/** A member as /proc/mdstat lists it: `sda1[3](F)`. */
export interface MdstatMember {
  /** Kernel name, e.g. `sda1`. */
  readonly device: string;
  /** md's descriptor number (the number in brackets); not the RaidDevice slot. */
  readonly descriptorNumber: number;
  readonly isFaulty: boolean;
  readonly isSpare: boolean;
  readonly isWriteMostly: boolean;
  readonly isReplacement: boolean;
  readonly isJournal: boolean;
}

/** A sync line: `[=>....]  recovery =  8.5% (16775552/195310144) finish=17.0min speed=259783K/sec`. */
export interface MdstatSync {
  readonly action: RaidSyncAction;
  /** 0-100 as printed (one decimal). */
  readonly progressPercent: number;
  /** Done and total in KiB (1 KiB blocks for resync/recovery/check; reshape counts the same way). */
  readonly doneKib: number | null;
  readonly totalKib: number | null;
  readonly finishSeconds: number | null;
  /** md prints KiB/s (`K/sec`). */
  readonly speedKibPerSecond: number | null;
}

/** One array block of /proc/mdstat. */
export interface MdstatArray {
  /** e.g. `md0`, `md_d0`. */
  readonly name: string;
  readonly isActive: boolean;
  /** `read-only` or `auto-read-only` when md shows it in brackets after `active`. */
  readonly readOnlyMode: 'read-only' | 'auto-read-only' | null;
  /** `unknown` when an inactive array shows no personality. */
  readonly level: RaidLevel;
  readonly members: readonly MdstatMember[];
  /** Size in 1 KiB blocks. */
  readonly blocks: number | null;
  /** `[n/m]`: slots and members in sync. */
  readonly raidDevices: number | null;
  readonly inSyncDevices: number | null;
  /** `[UU_]`: one character per slot. */
  readonly statusMap: string | null;
  readonly sync: MdstatSync | null;
  /** `resync=DELAYED` / `resync=PENDING`: a sync waits for its turn. */
  readonly pendingSync: { readonly action: RaidSyncAction; readonly reason: 'DELAYED' | 'PENDING' } | null;
}

/** Parsed /proc/mdstat. */
export interface Mdstat {
  /** `[raid1]` etc. without brackets. */
  readonly personalities: readonly string[];
  readonly arrays: readonly MdstatArray[];
}

const HEADER = /^(md[\w]*)\s*:\s*(.*)$/;
const MEMBER = /^([\w.:-]+)\[(\d+)\]((?:\([A-Z]\))*)$/;
const SYNC =
  /\b(resync|recovery|recover|check|repair|reshape)\s*=\s*([\d.]+)%(?:\s*\((\d+)\/(\d+)\))?(?:\s*finish\s*=\s*([\d.]+)min)?(?:\s*speed\s*=\s*(\d+)K\/sec)?/;
const PENDING = /\b(resync|recovery|check|repair|reshape)\s*=\s*(DELAYED|PENDING)\b/;

const LEVELS: ReadonlyMap<string, RaidLevel> = new Map<string, RaidLevel>([
  ['linear', 'linear'],
  ['multipath', 'multipath'],
  ['raid0', 'raid0'],
  ['raid1', 'raid1'],
  ['raid4', 'raid4'],
  ['raid5', 'raid5'],
  ['raid6', 'raid6'],
  ['raid10', 'raid10'],
]);

/** Maps md's level spelling (`raid1`, `1`, `mirror`, `container`...) to a {@link RaidLevel}. */
export function toRaidLevel(text: string): RaidLevel {
  const t = text.trim().toLowerCase();
  const known = LEVELS.get(t) ?? LEVELS.get(`raid${t}`);
  if (known !== undefined) return known;
  if (t === 'mirror') return 'raid1';
  if (t === 'stripe') return 'raid0';
  if (t === 'container') return 'container';
  return 'unknown';
}

/** Maps a sync keyword as md prints it (`recovery`) to the sync_action spelling (`recover`). */
export function toSyncAction(word: string): RaidSyncAction {
  switch (word) {
    case 'recovery':
    case 'recover':
      return 'recover';
    case 'check':
      return 'check';
    case 'repair':
      return 'repair';
    case 'reshape':
      return 'reshape';
    default:
      return 'resync';
  }
}

function parseMember(token: string): MdstatMember | null {
  const m = MEMBER.exec(token);
  if (m?.[1] === undefined || m[2] === undefined) return null;
  const flags = m[3] ?? '';
  return {
    device: m[1],
    descriptorNumber: Number(m[2]),
    isFaulty: flags.includes('(F)'),
    isSpare: flags.includes('(S)'),
    isWriteMostly: flags.includes('(W)'),
    isReplacement: flags.includes('(R)'),
    isJournal: flags.includes('(J)'),
  };
}

function parseArray(name: string, headerRest: string, detailLines: readonly string[]): MdstatArray {
  const tokens = headerRest.split(/\s+/).filter((t) => t.length > 0);
  let i = 0;
  const isActive = tokens[i] === 'active';
  if (tokens[i] === 'active' || tokens[i] === 'inactive') i += 1;
  let readOnlyMode: MdstatArray['readOnlyMode'] = null;
  if (tokens[i] === '(read-only)' || tokens[i] === '(auto-read-only)') {
    readOnlyMode = tokens[i] === '(read-only)' ? 'read-only' : 'auto-read-only';
    i += 1;
  }
  let level: RaidLevel = 'unknown';
  const maybeLevel = tokens[i];
  if (maybeLevel !== undefined && !maybeLevel.includes('[')) {
    level = toRaidLevel(maybeLevel);
    i += 1;
  }
  const members = tokens
    .slice(i)
    .map(parseMember)
    .filter((m): m is MdstatMember => m !== null);

  const details = detailLines.join('\n');
  const blocks = /(\d+)\s+blocks\b/.exec(details);
  const counts = /\[(\d+)\/(\d+)\]/.exec(details);
  const statusMap = /\[([U_]+)\]/.exec(details);
  const sync = SYNC.exec(details);
  const pending = PENDING.exec(details);

  return {
    name,
    isActive,
    readOnlyMode,
    level,
    members,
    blocks: blocks?.[1] === undefined ? null : Number(blocks[1]),
    raidDevices: counts?.[1] === undefined ? null : Number(counts[1]),
    inSyncDevices: counts?.[2] === undefined ? null : Number(counts[2]),
    statusMap: statusMap?.[1] ?? null,
    sync:
      sync?.[1] === undefined || sync[2] === undefined
        ? null
        : {
            action: toSyncAction(sync[1]),
            progressPercent: Number(sync[2]),
            doneKib: sync[3] === undefined ? null : Number(sync[3]),
            totalKib: sync[4] === undefined ? null : Number(sync[4]),
            finishSeconds: sync[5] === undefined ? null : Math.round(Number(sync[5]) * 60),
            speedKibPerSecond: sync[6] === undefined ? null : Number(sync[6]),
          },
    pendingSync:
      pending?.[1] === undefined || sync !== null
        ? null
        : { action: toSyncAction(pending[1]), reason: pending[2] === 'PENDING' ? 'PENDING' : 'DELAYED' },
  };
}

/**
 * Parses the text of /proc/mdstat. Tolerant by design: it accepts missing trailing newlines, a
 * missing `unused devices` line, unindented detail lines and unknown extra lines (bitmap, etc.).
 */
export function parseMdstat(text: string): Mdstat {
  const lines = text.split(/\r?\n/);
  const personalities: string[] = [];
  const arrays: MdstatArray[] = [];
  let current: { name: string; rest: string; details: string[] } | null = null;
  const flush = (): void => {
    if (current !== null) arrays.push(parseArray(current.name, current.rest, current.details));
    current = null;
  };
  for (const line of lines) {
    if (line.startsWith('Personalities')) {
      for (const m of line.matchAll(/\[([^\]]+)\]/g)) if (m[1] !== undefined) personalities.push(m[1]);
      continue;
    }
    if (line.startsWith('unused devices')) {
      flush();
      continue;
    }
    const header = HEADER.exec(line);
    if (header?.[1] !== undefined) {
      flush();
      current = { name: header[1], rest: header[2] ?? '', details: [] };
      continue;
    }
    if (current !== null && line.trim().length > 0)
      (current as { details: string[] }).details.push(line.trim());
  }
  flush();
  return { personalities, arrays };
}
