import type { MdadmDetail } from './parse-mdadm-detail.js';
import type { MdstatArray } from './parse-mdstat.js';
import type { RaidArray, RaidMember, RaidSync } from './raid-driver.js';
import { deriveArrayState } from './raid-rules.js';

const KIB = 1024;

function membersFromDetail(detail: MdadmDetail): RaidMember[] {
  const members: RaidMember[] = [];
  for (const row of detail.devices) {
    if (row.device === null) continue; // a `removed` slot: nothing there
    const states = new Set(row.states);
    const isFaulty = states.has('faulty');
    const isRebuilding = states.has('rebuilding');
    const isSpare = states.has('spare') && !isRebuilding;
    members.push({
      device: row.device,
      role: isFaulty ? 'faulty' : isSpare ? 'spare' : 'active',
      slot: isFaulty || isSpare ? null : row.raidDevice,
      isRebuilding,
    });
  }
  return members;
}

function membersFromMdstat(array: MdstatArray): RaidMember[] {
  return array.members.map((m) => ({
    device: `/dev/${m.device}`,
    role: m.isFaulty ? 'faulty' : m.isSpare ? 'spare' : 'active',
    slot: null,
    isRebuilding: false,
  }));
}

function syncFrom(array: MdstatArray, detail: MdadmDetail | null): RaidSync | null {
  if (array.sync !== null) {
    return {
      action: array.sync.action,
      progressPercent: array.sync.progressPercent,
      speedBytesPerSecond: array.sync.speedKibPerSecond === null ? null : array.sync.speedKibPerSecond * KIB,
      finishSeconds: array.sync.finishSeconds,
    };
  }
  if (array.pendingSync !== null) {
    return {
      action: array.pendingSync.action,
      progressPercent: 0,
      speedBytesPerSecond: null,
      finishSeconds: null,
    };
  }
  if (detail === null) return null;
  // mdstat shows no sync line between two samples; mdadm's integer percentage is the fallback.
  const fromDetail: [RaidSync['action'], number | null][] = [
    ['recover', detail.rebuildPercent],
    ['resync', detail.resyncPercent],
    ['reshape', detail.reshapePercent],
    ['check', detail.checkPercent],
  ];
  for (const [action, percent] of fromDetail) {
    if (percent !== null)
      return { action, progressPercent: percent, speedBytesPerSecond: null, finishSeconds: null };
  }
  return null;
}

/**
 * Builds the API view of one array from its /proc/mdstat block and, when available, its
 * `mdadm --detail`: members, slots, size and state from mdadm; sync progress, speed and ETA from
 * mdstat (more precise than mdadm's whole percent).
 */
export function toRaidArray(array: MdstatArray, detail: MdadmDetail | null): RaidArray {
  const isActive = array.isActive && !(detail?.stateFlags.includes('inactive') ?? false);
  const sync = isActive ? syncFrom(array, detail) : null;
  const raidDevices = detail?.raidDevices ?? array.raidDevices;
  const mdstatDegraded =
    (array.inSyncDevices !== null && array.raidDevices !== null && array.inSyncDevices < array.raidDevices) ||
    (array.statusMap?.includes('_') ?? false);
  const isDegraded = isActive && ((detail?.stateFlags.includes('degraded') ?? false) || mdstatDegraded);
  const sizeKib = detail?.arraySizeKib ?? array.blocks ?? 0;
  return {
    name: array.name,
    level: detail !== null && detail.level !== 'unknown' ? detail.level : array.level,
    state: deriveArrayState(isActive, sync, isDegraded),
    isDegraded,
    sizeBytes: sizeKib * KIB,
    raidDevices,
    members:
      detail !== null && detail.devices.length > 0 ? membersFromDetail(detail) : membersFromMdstat(array),
    sync,
  };
}
