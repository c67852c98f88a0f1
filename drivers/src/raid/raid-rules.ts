import { DriverValidationError } from '../errors.js';
import type {
  CreatableRaidLevel,
  CreateRaidArrayRequest,
  RaidArrayState,
  RaidLevel,
  RaidSync,
} from './raid-driver.js';
import { CREATABLE_RAID_LEVELS } from './raid-driver.js';
import { toArrayName, toKernelName } from './block-devices.js';

/** Fewest data members each level accepts at creation. */
export const MIN_MEMBERS: Readonly<Record<CreatableRaidLevel, number>> = {
  raid0: 2,
  raid1: 2,
  raid5: 3,
  raid6: 4,
  raid10: 4,
};

/** Levels that keep redundancy, so a check (scrub) means something and a member can be lost. */
export function isRedundant(level: RaidLevel): boolean {
  return (
    level === 'raid1' || level === 'raid4' || level === 'raid5' || level === 'raid6' || level === 'raid10'
  );
}

/** A create request with names normalised to kernel names. */
export interface NormalisedCreateRequest {
  readonly name: string;
  readonly level: CreatableRaidLevel;
  readonly devices: readonly string[];
  readonly spares: readonly string[];
}

/**
 * Checks and normalises a create request (names, level, member count, duplicates).
 * @throws DriverValidationError with the first problem found.
 */
export function normaliseCreateRequest(request: CreateRaidArrayRequest): NormalisedCreateRequest {
  const name = toArrayName(request.name);
  if (!(CREATABLE_RAID_LEVELS as readonly string[]).includes(request.level)) {
    throw new DriverValidationError(
      `RAID level "${request.level}" is not one of ${CREATABLE_RAID_LEVELS.join(', ')}`,
      { details: { level: request.level } },
    );
  }
  const devices = request.devices.map(toKernelName);
  const spares = (request.spares ?? []).map(toKernelName);
  const min = MIN_MEMBERS[request.level];
  if (devices.length < min) {
    throw new DriverValidationError(`${request.level} needs at least ${min} devices, got ${devices.length}`, {
      details: { level: request.level, minimum: min, given: devices.length },
    });
  }
  if (request.level === 'raid0' && spares.length > 0) {
    throw new DriverValidationError('raid0 has no redundancy and takes no spares');
  }
  const all = [...devices, ...spares];
  if (new Set(all).size !== all.length) {
    throw new DriverValidationError('a device is listed twice', { details: { devices: all } });
  }
  return { name, level: request.level, devices, spares };
}

/** Usable size of an array of `count` members of `memberBytes` each. */
export function usableSizeBytes(level: CreatableRaidLevel, count: number, memberBytes: number): number {
  switch (level) {
    case 'raid0':
      return count * memberBytes;
    case 'raid1':
      return memberBytes;
    case 'raid5':
      return (count - 1) * memberBytes;
    case 'raid6':
      return (count - 2) * memberBytes;
    case 'raid10':
      return Math.floor(count / 2) * memberBytes;
  }
}

/** The one-word state from activity, sync and redundancy. */
export function deriveArrayState(
  isActive: boolean,
  sync: Pick<RaidSync, 'action'> | null,
  isDegraded: boolean,
): RaidArrayState {
  if (!isActive) return 'inactive';
  switch (sync?.action) {
    case 'recover':
      return 'recovering';
    case 'resync':
      return 'resyncing';
    case 'check':
    case 'repair':
      return 'checking';
    case 'reshape':
      return 'reshaping';
    case undefined:
      return isDegraded ? 'degraded' : 'clean';
  }
}
