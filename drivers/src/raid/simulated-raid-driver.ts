import { join } from 'node:path';

import type { Clock } from '../clock.js';
import type { ConfirmationGate } from '../confirmation.js';
import {
  DriverFailedError,
  DriverForbiddenError,
  DriverNotFoundError,
  DriverValidationError,
} from '../errors.js';
import { readJsonStateOf, writeJsonState } from '../json-state-file.js';
import { toArrayName, toKernelName } from './block-devices.js';
import type {
  Confirmation,
  CreatableRaidLevel,
  CreateRaidArrayRequest,
  RaidArray,
  RaidDisk,
  RaidDriver,
  RaidMemberRole,
  RaidSyncAction,
  RaidSyncSpeedLimits,
} from './raid-driver.js';
import { deriveArrayState, isRedundant, normaliseCreateRequest, usableSizeBytes } from './raid-rules.js';

/** Size of each simulated data disk: 5 GB. */
export const SIMULATED_DISK_BYTES = 5_000_000_000;
/** Simulated sync throughput: one 5 GB disk in 60 s (capped by the max speed limit). */
export const SIMULATED_SYNC_BYTES_PER_SECOND = SIMULATED_DISK_BYTES / 60;
/** File name of the persisted simulation inside `stateDir`. */
export const SIMULATED_RAID_STATE_FILE = 'raid-simulation.json';

interface SimDisk {
  name: string;
  sizeBytes: number;
  isSystem: boolean;
}

interface SimMember {
  device: string;
  role: RaidMemberRole;
  slot: number | null;
  isRebuilding: boolean;
}

interface SimSync {
  action: RaidSyncAction;
  startedAtMs: number;
  totalBytes: number;
  speedBytesPerSecond: number;
}

interface SimArray {
  name: string;
  level: CreatableRaidLevel;
  raidDevices: number;
  memberSizeBytes: number;
  members: SimMember[];
  sync: SimSync | null;
}

interface SimState {
  version: 1;
  disks: SimDisk[];
  arrays: SimArray[];
  speedLimitsKib: { min: number; max: number };
}

/** The state a fresh simulation starts from: md0 = RAID1 of sda + sdb, free sdc and sdd, system disk nvme0n1. */
export function initialSimulatedRaidState(): SimState {
  return {
    version: 1,
    disks: [
      { name: 'nvme0n1', sizeBytes: 64_000_000_000, isSystem: true },
      { name: 'sda', sizeBytes: SIMULATED_DISK_BYTES, isSystem: false },
      { name: 'sdb', sizeBytes: SIMULATED_DISK_BYTES, isSystem: false },
      { name: 'sdc', sizeBytes: SIMULATED_DISK_BYTES, isSystem: false },
      { name: 'sdd', sizeBytes: SIMULATED_DISK_BYTES, isSystem: false },
    ],
    arrays: [
      {
        name: 'md0',
        level: 'raid1',
        raidDevices: 2,
        memberSizeBytes: SIMULATED_DISK_BYTES,
        members: [
          { device: 'sda', role: 'active', slot: 0, isRebuilding: false },
          { device: 'sdb', role: 'active', slot: 1, isRebuilding: false },
        ],
        sync: null,
      },
    ],
    // The kernel's defaults (KiB/s).
    speedLimitsKib: { min: 1000, max: 200_000 },
  };
}

function isSimState(value: unknown): value is SimState {
  return (
    typeof value === 'object' &&
    value !== null &&
    'version' in value &&
    value.version === 1 &&
    'disks' in value &&
    Array.isArray(value.disks) &&
    'arrays' in value &&
    Array.isArray(value.arrays)
  );
}

/** Options of {@link SimulatedRaidDriver}. */
export interface SimulatedRaidDriverOptions {
  readonly clock: Clock;
  readonly confirmations: ConfirmationGate;
  /** Directory of the persisted state (`raid-simulation.json`). */
  readonly stateDir: string;
}

/** Members in sync (active and not rebuilding). */
function inSync(array: SimArray): SimMember[] {
  return array.members.filter((m) => m.role === 'active' && !m.isRebuilding);
}

/** True when the array still serves data with `failed` members missing. */
function survives(level: CreatableRaidLevel, raidDevices: number, working: number): boolean {
  const missing = raidDevices - working;
  switch (level) {
    case 'raid0':
      return missing === 0;
    case 'raid1':
      return working >= 1;
    case 'raid5':
      return missing <= 1;
    case 'raid6':
      return missing <= 2;
    case 'raid10':
      // Conservative: near-2 layout survives any single loss.
      return missing <= 1;
  }
}

/**
 * Simulated md: a deterministic, persisted model of arrays over 5 GB virtual disks.
 * Sync progress is a function of the injected clock only (one 5 GB disk in ~60 s), so the same
 * clock gives the same answers. State is saved to `<stateDir>/raid-simulation.json` after every
 * change (temporary file + rename), so it survives restarts.
 *
 * Fault hooks: {@link SimulatedRaidDriver.failMember} (with confirmation, as in production) and
 * {@link SimulatedRaidDriver.addVirtualDisk}.
 */
export class SimulatedRaidDriver implements RaidDriver {
  private readonly clock: Clock;
  private readonly confirmations: ConfirmationGate;
  private readonly statePath: string;
  private state: SimState | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: SimulatedRaidDriverOptions) {
    this.clock = options.clock;
    this.confirmations = options.confirmations;
    this.statePath = join(options.stateDir, SIMULATED_RAID_STATE_FILE);
  }

  listArrays(): Promise<RaidArray[]> {
    return this.withState((state) => state.arrays.map((a) => this.view(a)));
  }

  getArray(name: string): Promise<RaidArray> {
    return this.withState((state) => this.view(this.findArray(state, toArrayName(name))));
  }

  listDisks(): Promise<RaidDisk[]> {
    return this.withState((state) =>
      state.disks.map((disk) => ({
        device: `/dev/${disk.name}`,
        sizeBytes: disk.sizeBytes,
        isSystemDisk: disk.isSystem,
        arrayName: state.arrays.find((a) => a.members.some((m) => m.device === disk.name))?.name ?? null,
      })),
    );
  }

  createArray(request: CreateRaidArrayRequest, confirmation: Confirmation = {}): Promise<RaidArray> {
    return this.withState((state) => {
      const req = normaliseCreateRequest(request);
      if (state.arrays.some((a) => a.name === req.name)) {
        throw new DriverValidationError(`RAID array ${req.name} already exists`, {
          details: { name: req.name },
        });
      }
      const disks = [...req.devices, ...req.spares].map((d) => this.assertFreeDisk(state, d));
      this.confirmations.check(
        'raid.createArray',
        { name: req.name, level: req.level, devices: req.devices, spares: req.spares },
        `create ${req.level} ${req.name} over ${[...req.devices, ...req.spares].join(', ')}, erasing them`,
        confirmation.confirmToken,
      );
      const memberSizeBytes = Math.min(...disks.map((d) => d.sizeBytes));
      const array: SimArray = {
        name: req.name,
        level: req.level,
        raidDevices: req.devices.length,
        memberSizeBytes,
        members: [
          ...req.devices.map((device, slot) => ({
            device,
            role: 'active' as const,
            slot,
            isRebuilding: false,
          })),
          ...req.spares.map((device) => ({
            device,
            role: 'spare' as const,
            slot: null,
            isRebuilding: false,
          })),
        ],
        sync: null,
      };
      // md resyncs a new redundant array once, so that every mirror/parity block agrees.
      if (isRedundant(req.level)) array.sync = this.startSync(state, 'resync', memberSizeBytes);
      state.arrays.push(array);
      return this.view(array);
    });
  }

  addMember(arrayName: string, device: string, confirmation: Confirmation = {}): Promise<RaidArray> {
    return this.withState((state) => {
      const name = toKernelName(device);
      const wanted = toArrayName(arrayName);
      const array = this.findArray(state, wanted);
      this.assertFreeDisk(state, name);
      const grow = !this.isDegraded(array);
      this.confirmations.check(
        'raid.addMember',
        { array: array.name, device: name },
        `add /dev/${name} to ${array.name}${grow ? ' as a new slot' : ''}, erasing it`,
        confirmation.confirmToken,
      );
      if (grow) {
        if (array.level !== 'raid1' && array.level !== 'raid5' && array.level !== 'raid6') {
          throw new DriverValidationError(`${array.level} array ${array.name} cannot grow by one member`);
        }
        array.raidDevices += 1;
      }
      array.members.push({ device: name, role: 'spare', slot: null, isRebuilding: false });
      this.startRecoveryIfPossible(state, array, grow && array.level !== 'raid1' ? 'reshape' : 'recover');
      return this.view(array);
    });
  }

  addSpare(arrayName: string, device: string, confirmation: Confirmation = {}): Promise<RaidArray> {
    return this.withState((state) => {
      const name = toKernelName(device);
      const wanted = toArrayName(arrayName);
      const array = this.findArray(state, wanted);
      if (!isRedundant(array.level)) {
        throw new DriverValidationError(
          `${array.level} array ${array.name} has no redundancy and takes no spares`,
        );
      }
      this.assertFreeDisk(state, name);
      this.confirmations.check(
        'raid.addSpare',
        { array: array.name, device: name },
        `add /dev/${name} to ${array.name} as a spare, erasing it`,
        confirmation.confirmToken,
      );
      array.members.push({ device: name, role: 'spare', slot: null, isRebuilding: false });
      this.startRecoveryIfPossible(state, array, 'recover');
      return this.view(array);
    });
  }

  removeMember(arrayName: string, device: string, confirmation: Confirmation = {}): Promise<RaidArray> {
    return this.withState((state) => {
      const name = toKernelName(device);
      const wanted = toArrayName(arrayName);
      const array = this.findArray(state, wanted);
      const member = this.findMember(array, name);
      this.confirmations.check(
        'raid.removeMember',
        { array: array.name, device: name },
        `remove /dev/${name} from ${array.name}${member.role === 'active' ? ' (the array degrades)' : ''}`,
        confirmation.confirmToken,
      );
      if (member.role === 'active') this.fail(state, array, member);
      array.members = array.members.filter((m) => m !== member);
      return this.view(array);
    });
  }

  failMember(arrayName: string, device: string, confirmation: Confirmation = {}): Promise<RaidArray> {
    return this.withState((state) => {
      const name = toKernelName(device);
      const wanted = toArrayName(arrayName);
      const array = this.findArray(state, wanted);
      const member = this.findMember(array, name);
      if (member.role === 'faulty')
        throw new DriverValidationError(`/dev/${name} is already faulty in ${array.name}`);
      this.confirmations.check(
        'raid.failMember',
        { array: array.name, device: name },
        `mark /dev/${name} faulty in ${array.name}`,
        confirmation.confirmToken,
      );
      this.fail(state, array, member);
      return this.view(array);
    });
  }

  startCheck(arrayName: string): Promise<void> {
    return this.withState((state) => {
      const wanted = toArrayName(arrayName);
      const array = this.findArray(state, wanted);
      if (!isRedundant(array.level)) {
        throw new DriverValidationError(`${array.level} array ${array.name} has no redundancy to check`);
      }
      if (array.sync !== null) {
        throw new DriverValidationError(`${array.name} is busy (${array.sync.action} running)`, {
          details: { action: array.sync.action },
        });
      }
      array.sync = this.startSync(state, 'check', array.memberSizeBytes);
      return undefined;
    });
  }

  stopCheck(arrayName: string): Promise<void> {
    return this.withState((state) => {
      const wanted = toArrayName(arrayName);
      const array = this.findArray(state, wanted);
      if (array.sync?.action !== 'check' && array.sync?.action !== 'repair') return undefined;
      array.sync = null;
      return undefined;
    });
  }

  getSyncSpeedLimits(): Promise<RaidSyncSpeedLimits> {
    return this.withState((state) => ({
      minBytesPerSecond: state.speedLimitsKib.min * 1024,
      maxBytesPerSecond: state.speedLimitsKib.max * 1024,
    }));
  }

  setSyncSpeedLimits(limits: RaidSyncSpeedLimits): Promise<void> {
    return this.withState((state) => {
      const min = Math.floor(limits.minBytesPerSecond / 1024);
      const max = Math.floor(limits.maxBytesPerSecond / 1024);
      if (!Number.isFinite(min) || !Number.isFinite(max) || min < 1 || min > max) {
        throw new DriverValidationError('sync speed limits need 1 KiB/s <= min <= max', {
          details: { ...limits },
        });
      }
      state.speedLimitsKib = { min, max };
      return undefined;
    });
  }

  deleteArray(arrayName: string, confirmation: Confirmation = {}): Promise<void> {
    return this.withState((state) => {
      const wanted = toArrayName(arrayName);
      const array = this.findArray(state, wanted);
      this.confirmations.check(
        'raid.deleteArray',
        { array: array.name },
        `stop ${array.name} and wipe its members (${array.members.map((m) => `/dev/${m.device}`).join(', ')}); its data is lost`,
        confirmation.confirmToken,
      );
      state.arrays = state.arrays.filter((a) => a !== array);
      return undefined;
    });
  }

  /** Fault hook: plugs in a new virtual disk. @throws DriverValidationError when the name is taken. */
  addVirtualDisk(device: string, sizeBytes = SIMULATED_DISK_BYTES): Promise<void> {
    return this.withState((state) => {
      const name = toKernelName(device);
      if (state.disks.some((d) => d.name === name))
        throw new DriverValidationError(`/dev/${name} already exists`);
      state.disks.push({ name, sizeBytes, isSystem: false });
      return undefined;
    });
  }

  /** Puts the simulation back to its initial state (md0 clean over sda + sdb). */
  reset(): Promise<void> {
    return this.withState((state) => {
      Object.assign(state, initialSimulatedRaidState());
      return undefined;
    });
  }

  // --- internals -------------------------------------------------------------------------------

  /**
   * Runs `fn` on the settled state, one call at a time, and persists the state when `fn` (or the
   * settling of finished syncs) changed it. When `fn` throws, the in-memory state is reloaded from disk.
   */
  private withState<T>(fn: (state: SimState) => T): Promise<T> {
    const run = async (): Promise<T> => {
      const state = await this.load();
      const before = JSON.stringify(state);
      this.settle(state);
      let result: T;
      try {
        result = fn(state);
      } catch (error) {
        // fn may have changed part of the state before throwing: drop it, keep what is on disk.
        this.state = null;
        throw error;
      }
      if (JSON.stringify(state) !== before) await writeJsonState(this.statePath, state);
      return result;
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async load(): Promise<SimState> {
    if (this.state !== null) return this.state;
    const stored = await readJsonStateOf(this.statePath, isSimState, 'a RAID simulation state');
    this.state = stored ?? initialSimulatedRaidState();
    if (stored === null) await writeJsonState(this.statePath, this.state);
    return this.state;
  }

  private startSync(state: SimState, action: RaidSyncAction, totalBytes: number): SimSync {
    return {
      action,
      startedAtMs: this.clock.now(),
      totalBytes,
      speedBytesPerSecond: Math.min(SIMULATED_SYNC_BYTES_PER_SECOND, state.speedLimitsKib.max * 1024),
    };
  }

  private progressPercent(sync: SimSync): number {
    const elapsedSeconds = Math.max(0, this.clock.now() - sync.startedAtMs) / 1000;
    return Math.min(100, (elapsedSeconds * sync.speedBytesPerSecond * 100) / sync.totalBytes);
  }

  /** Completes syncs whose time is up, then starts the next recovery a spare allows. */
  private settle(state: SimState): void {
    for (const array of state.arrays) {
      if (array.sync !== null && this.progressPercent(array.sync) >= 100) {
        array.sync = null;
        for (const m of array.members) m.isRebuilding = false;
      }
      if (array.sync === null) this.startRecoveryIfPossible(state, array, 'recover');
    }
  }

  private isDegraded(array: SimArray): boolean {
    return inSync(array).length < array.raidDevices;
  }

  /** Puts a spare into the first empty slot and starts a sync onto it, as md does by itself. */
  private startRecoveryIfPossible(state: SimState, array: SimArray, action: 'recover' | 'reshape'): void {
    if (array.sync !== null && array.sync.action !== 'check') return;
    const used = new Set(array.members.filter((m) => m.role === 'active').map((m) => m.slot));
    let slot = 0;
    while (used.has(slot)) slot += 1;
    if (slot >= array.raidDevices) return;
    const spare = array.members.find((m) => m.role === 'spare');
    if (spare === undefined) return;
    spare.role = 'active';
    spare.slot = slot;
    spare.isRebuilding = true;
    // A rebuild pre-empts a running check, as in md.
    array.sync = this.startSync(state, action, array.memberSizeBytes);
  }

  private fail(state: SimState, array: SimArray, member: SimMember): void {
    const remaining = inSync(array).filter((m) => m !== member).length;
    if (member.role === 'active' && !survives(array.level, array.raidDevices, remaining)) {
      throw new DriverFailedError(
        `md refuses to fail /dev/${member.device}: ${array.name} would lose data (${remaining} of ${array.raidDevices} in sync left)`,
      );
    }
    const wasRebuilding = member.isRebuilding;
    member.role = 'faulty';
    member.slot = null;
    member.isRebuilding = false;
    if (wasRebuilding || array.sync?.action === 'check') array.sync = null;
    this.startRecoveryIfPossible(state, array, 'recover');
  }

  private findArray(state: SimState, name: string): SimArray {
    const array = state.arrays.find((a) => a.name === name);
    if (array === undefined) throw new DriverNotFoundError(`RAID array ${name} does not exist`);
    return array;
  }

  private findMember(array: SimArray, name: string): SimMember {
    const member = array.members.find((m) => m.device === name);
    if (member === undefined) {
      throw new DriverNotFoundError(`/dev/${name} is not a member of ${array.name}`, {
        details: { array: array.name, device: `/dev/${name}` },
      });
    }
    return member;
  }

  private assertFreeDisk(state: SimState, name: string): SimDisk {
    const disk = state.disks.find((d) => d.name === name);
    if (disk === undefined) throw new DriverNotFoundError(`/dev/${name} does not exist`);
    if (disk.isSystem) {
      throw new DriverForbiddenError(`/dev/${name} is the system disk and is left alone`, {
        details: { device: `/dev/${name}`, systemDisk: `/dev/${name}` },
      });
    }
    const owner = state.arrays.find((a) => a.members.some((m) => m.device === name));
    if (owner !== undefined) {
      throw new DriverValidationError(`/dev/${name} is already a member of ${owner.name}`, {
        details: { device: `/dev/${name}`, array: owner.name },
      });
    }
    return disk;
  }

  private view(array: SimArray): RaidArray {
    const isDegraded = this.isDegraded(array);
    const sync =
      array.sync === null
        ? null
        : (() => {
            const progress = this.progressPercent(array.sync);
            const remainingBytes = ((100 - progress) / 100) * array.sync.totalBytes;
            return {
              action: array.sync.action,
              progressPercent: Math.round(progress * 10) / 10,
              speedBytesPerSecond: array.sync.speedBytesPerSecond,
              finishSeconds: Math.round(remainingBytes / array.sync.speedBytesPerSecond),
            };
          })();
    return {
      name: array.name,
      level: array.level,
      state: deriveArrayState(true, sync, isDegraded),
      isDegraded,
      sizeBytes: usableSizeBytes(array.level, array.raidDevices, array.memberSizeBytes),
      raidDevices: array.raidDevices,
      members: array.members.map((m) => ({
        device: `/dev/${m.device}`,
        role: m.role,
        slot: m.slot,
        isRebuilding: m.isRebuilding,
      })),
      sync,
    };
  }
}
