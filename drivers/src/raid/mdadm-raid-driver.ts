import { join } from 'node:path';

import type { CommandRunner } from '../command-runner.js';
import { DEFAULT_COMMAND_TIMEOUT_MS, runChecked } from '../command-runner.js';
import type { ConfirmationGate } from '../confirmation.js';
import {
  DriverForbiddenError,
  DriverNotFoundError,
  DriverUnavailableError,
  DriverValidationError,
} from '../errors.js';
import { readIntegerOrNull, readTextOrNull, writeAttribute } from '../sysfs-file.js';
import { BlockDeviceTopology, toArrayName, toKernelName } from './block-devices.js';
import { toRaidArray } from './md-raid-array.js';
import { parseMdadmDetail } from './parse-mdadm-detail.js';
import { parseMdstat } from './parse-mdstat.js';
import type {
  Confirmation,
  CreateRaidArrayRequest,
  RaidArray,
  RaidDisk,
  RaidDriver,
  RaidSyncSpeedLimits,
} from './raid-driver.js';
import { isRedundant, normaliseCreateRequest } from './raid-rules.js';

/** Options of {@link MdadmRaidDriver}. */
export interface MdadmRaidDriverOptions {
  readonly runner: CommandRunner;
  readonly confirmations: ConfirmationGate;
  /** Default `/proc`: mdstat, mounts and sys/dev/raid/speed_limit_* live here. */
  readonly procRoot?: string;
  /** Default `/sys`: block/mdX/md/sync_action and the block topology live here. */
  readonly sysfsRoot?: string;
  /** The mdadm binary (default `mdadm`, looked up in PATH). */
  readonly mdadmPath?: string;
  /** Per-command timeout (default 30 s). */
  readonly timeoutMs?: number;
}

const KIB = 1024;

/**
 * Real RAID backend: reads /proc/mdstat and `mdadm --detail`, acts through `mdadm` and md's sysfs
 * and procfs attributes. Needs the mdadm binary and root (or CAP_SYS_ADMIN) for every action.
 */
export class MdadmRaidDriver implements RaidDriver {
  private readonly runner: CommandRunner;
  private readonly confirmations: ConfirmationGate;
  private readonly procRoot: string;
  private readonly sysfsRoot: string;
  private readonly mdadm: string;
  private readonly timeoutMs: number;
  private readonly topology: BlockDeviceTopology;

  constructor(options: MdadmRaidDriverOptions) {
    this.runner = options.runner;
    this.confirmations = options.confirmations;
    this.procRoot = options.procRoot ?? '/proc';
    this.sysfsRoot = options.sysfsRoot ?? '/sys';
    this.mdadm = options.mdadmPath ?? 'mdadm';
    this.timeoutMs = options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    this.topology = new BlockDeviceTopology(this.sysfsRoot, this.procRoot);
  }

  async listArrays(): Promise<RaidArray[]> {
    const mdstatPath = join(this.procRoot, 'mdstat');
    const text = await readTextOrNull(mdstatPath);
    if (text === null) {
      throw new DriverUnavailableError(
        `${mdstatPath} does not exist: the md (software RAID) driver is not loaded`,
      );
    }
    const mdstat = parseMdstat(text);
    return Promise.all(
      mdstat.arrays.map(async (array) => {
        const result = await this.mdadmRun(['--detail', `/dev/${array.name}`]);
        return toRaidArray(array, parseMdadmDetail(result.stdout));
      }),
    );
  }

  async getArray(name: string): Promise<RaidArray> {
    const arrayName = toArrayName(name);
    const array = (await this.listArrays()).find((a) => a.name === arrayName);
    if (array === undefined) throw new DriverNotFoundError(`RAID array ${arrayName} does not exist`);
    return array;
  }

  async listDisks(): Promise<RaidDisk[]> {
    const [disks, systemDisks, arrays] = await Promise.all([
      this.topology.listDisks(),
      this.topology.systemDisks(),
      this.listArraysOrEmpty(),
    ]);
    const arrayOfDisk = new Map<string, string>();
    for (const array of arrays) {
      for (const member of array.members) {
        for (const disk of await this.topology.physicalDisksOf(toKernelName(member.device))) {
          arrayOfDisk.set(disk, array.name);
        }
      }
    }
    return disks.map((d) => ({
      device: `/dev/${d.name}`,
      sizeBytes: d.sizeBytes,
      isSystemDisk: systemDisks.has(d.name),
      arrayName: arrayOfDisk.get(d.name) ?? null,
    }));
  }

  async createArray(request: CreateRaidArrayRequest, confirmation: Confirmation = {}): Promise<RaidArray> {
    const req = normaliseCreateRequest(request);
    const arrays = await this.listArraysOrEmpty();
    if (arrays.some((a) => a.name === req.name)) {
      throw new DriverValidationError(`RAID array ${req.name} already exists`, {
        details: { name: req.name },
      });
    }
    for (const device of [...req.devices, ...req.spares]) await this.assertUsableNewMember(device, arrays);
    const args = { name: req.name, level: req.level, devices: req.devices, spares: req.spares };
    this.confirmations.check(
      'raid.createArray',
      args,
      `create ${req.level} ${req.name} over ${[...req.devices, ...req.spares].join(', ')}, erasing them`,
      confirmation.confirmToken,
    );
    await this.mdadmRun([
      '--create',
      `/dev/${req.name}`,
      '--run',
      '--metadata=1.2',
      `--level=${req.level}`,
      `--raid-devices=${req.devices.length}`,
      ...(req.spares.length > 0 ? [`--spare-devices=${req.spares.length}`] : []),
      ...req.devices.map((d) => `/dev/${d}`),
      ...req.spares.map((d) => `/dev/${d}`),
    ]);
    return this.getArray(req.name);
  }

  async addMember(arrayName: string, device: string, confirmation: Confirmation = {}): Promise<RaidArray> {
    const { array, name } = await this.prepareAdd(arrayName, device);
    if (!isRedundant(array.level)) {
      throw new DriverValidationError(`${array.level} array ${array.name} cannot take a new member here`);
    }
    const grow = !array.isDegraded;
    this.confirmations.check(
      'raid.addMember',
      { array: array.name, device: name },
      `add /dev/${name} to ${array.name}${grow ? ' as a new slot' : ''}, erasing it`,
      confirmation.confirmToken,
    );
    await this.mdadmRun(['--manage', `/dev/${array.name}`, '--add', `/dev/${name}`]);
    if (grow) {
      await this.mdadmRun(['--grow', `/dev/${array.name}`, `--raid-devices=${(array.raidDevices ?? 0) + 1}`]);
    }
    return this.getArray(array.name);
  }

  async addSpare(arrayName: string, device: string, confirmation: Confirmation = {}): Promise<RaidArray> {
    const { array, name } = await this.prepareAdd(arrayName, device);
    if (!isRedundant(array.level)) {
      throw new DriverValidationError(
        `${array.level} array ${array.name} has no redundancy and takes no spares`,
      );
    }
    this.confirmations.check(
      'raid.addSpare',
      { array: array.name, device: name },
      `add /dev/${name} to ${array.name} as a spare, erasing it`,
      confirmation.confirmToken,
    );
    await this.mdadmRun(['--manage', `/dev/${array.name}`, '--add-spare', `/dev/${name}`]);
    return this.getArray(array.name);
  }

  async removeMember(arrayName: string, device: string, confirmation: Confirmation = {}): Promise<RaidArray> {
    const { array, member, name } = await this.prepareMemberAction(arrayName, device);
    this.confirmations.check(
      'raid.removeMember',
      { array: array.name, device: name },
      `remove /dev/${name} from ${array.name}${member.role === 'active' ? ' (the array degrades)' : ''}`,
      confirmation.confirmToken,
    );
    // md only removes faulty or spare members: an active one is failed first, in the same mdadm call.
    const fail = member.role === 'active' ? ['--fail', member.device] : [];
    await this.mdadmRun(['--manage', `/dev/${array.name}`, ...fail, '--remove', member.device]);
    return this.getArray(array.name);
  }

  async failMember(arrayName: string, device: string, confirmation: Confirmation = {}): Promise<RaidArray> {
    const { array, member, name } = await this.prepareMemberAction(arrayName, device);
    if (member.role === 'faulty') {
      throw new DriverValidationError(`/dev/${name} is already faulty in ${array.name}`);
    }
    this.confirmations.check(
      'raid.failMember',
      { array: array.name, device: name },
      `mark /dev/${name} faulty in ${array.name}`,
      confirmation.confirmToken,
    );
    await this.mdadmRun(['--manage', `/dev/${array.name}`, '--fail', member.device]);
    return this.getArray(array.name);
  }

  async startCheck(arrayName: string): Promise<void> {
    const array = await this.getArray(arrayName);
    if (!isRedundant(array.level)) {
      throw new DriverValidationError(`${array.level} array ${array.name} has no redundancy to check`);
    }
    if (array.state === 'inactive') throw new DriverValidationError(`${array.name} is inactive`);
    if (array.sync !== null) {
      throw new DriverValidationError(`${array.name} is busy (${array.sync.action} running)`, {
        details: { action: array.sync.action },
      });
    }
    await writeAttribute(this.syncActionPath(array.name), 'check');
  }

  async stopCheck(arrayName: string): Promise<void> {
    const array = await this.getArray(arrayName);
    // Writing idle during a rebuild would interrupt it: only a check or repair is stopped.
    if (array.sync?.action === 'check' || array.sync?.action === 'repair') {
      await writeAttribute(this.syncActionPath(array.name), 'idle');
    }
  }

  async getSyncSpeedLimits(): Promise<RaidSyncSpeedLimits> {
    const [min, max] = await Promise.all([
      readIntegerOrNull(this.speedLimitPath('min')),
      readIntegerOrNull(this.speedLimitPath('max')),
    ]);
    if (min === null || max === null) {
      throw new DriverUnavailableError(
        `${this.speedLimitPath('min')} is missing: the md driver is not loaded`,
      );
    }
    return { minBytesPerSecond: min * KIB, maxBytesPerSecond: max * KIB };
  }

  async setSyncSpeedLimits(limits: RaidSyncSpeedLimits): Promise<void> {
    const minKib = Math.floor(limits.minBytesPerSecond / KIB);
    const maxKib = Math.floor(limits.maxBytesPerSecond / KIB);
    if (!Number.isFinite(minKib) || !Number.isFinite(maxKib) || minKib < 1 || minKib > maxKib) {
      throw new DriverValidationError('sync speed limits need 1 KiB/s <= min <= max', {
        details: { ...limits },
      });
    }
    const current = await this.getSyncSpeedLimits();
    // The kernel does not check min <= max, but write in the order that never passes through min > max.
    if (minKib * KIB > current.maxBytesPerSecond) {
      await writeAttribute(this.speedLimitPath('max'), String(maxKib));
      await writeAttribute(this.speedLimitPath('min'), String(minKib));
    } else {
      await writeAttribute(this.speedLimitPath('min'), String(minKib));
      await writeAttribute(this.speedLimitPath('max'), String(maxKib));
    }
  }

  async deleteArray(arrayName: string, confirmation: Confirmation = {}): Promise<void> {
    const array = await this.getArray(arrayName);
    await this.assertNotOnSystemDisk(array);
    this.confirmations.check(
      'raid.deleteArray',
      { array: array.name },
      `stop ${array.name} and wipe its members (${array.members.map((m) => m.device).join(', ')}); its data is lost`,
      confirmation.confirmToken,
    );
    await this.mdadmRun(['--stop', `/dev/${array.name}`]);
    const members = array.members.map((m) => m.device);
    if (members.length > 0) await this.mdadmRun(['--zero-superblock', ...members]);
  }

  private syncActionPath(arrayName: string): string {
    return join(this.sysfsRoot, 'block', arrayName, 'md', 'sync_action');
  }

  private speedLimitPath(which: 'min' | 'max'): string {
    return join(this.procRoot, 'sys', 'dev', 'raid', `speed_limit_${which}`);
  }

  private async mdadmRun(args: string[]): Promise<{ stdout: string }> {
    return runChecked(this.runner, this.mdadm, args, { timeoutMs: this.timeoutMs });
  }

  private async listArraysOrEmpty(): Promise<RaidArray[]> {
    const text = await readTextOrNull(join(this.procRoot, 'mdstat'));
    return text === null ? [] : this.listArrays();
  }

  private async assertNotOnSystemDisk(array: RaidArray): Promise<void> {
    const systemDisks = await this.topology.systemDisks();
    for (const member of array.members) {
      for (const disk of await this.topology.physicalDisksOf(toKernelName(member.device))) {
        if (systemDisks.has(disk)) {
          throw new DriverForbiddenError(
            `${array.name} lives on the system disk /dev/${disk} and is left alone`,
            {
              details: { array: array.name, systemDisk: `/dev/${disk}` },
            },
          );
        }
      }
    }
  }

  private async assertUsableNewMember(name: string, arrays: readonly RaidArray[]): Promise<void> {
    if (!(await this.topology.exists(name))) throw new DriverNotFoundError(`/dev/${name} does not exist`);
    const systemDisks = await this.topology.systemDisks();
    for (const disk of await this.topology.physicalDisksOf(name)) {
      if (systemDisks.has(disk)) {
        throw new DriverForbiddenError(`/dev/${name} is on the system disk /dev/${disk}`, {
          details: { device: `/dev/${name}`, systemDisk: `/dev/${disk}` },
        });
      }
    }
    const owner = arrays.find((a) => a.members.some((m) => toKernelName(m.device) === name));
    if (owner !== undefined) {
      throw new DriverValidationError(`/dev/${name} is already a member of ${owner.name}`, {
        details: { device: `/dev/${name}`, array: owner.name },
      });
    }
  }

  private async prepareAdd(arrayName: string, device: string): Promise<{ array: RaidArray; name: string }> {
    const name = toKernelName(device);
    const arrays = await this.listArrays();
    const wanted = toArrayName(arrayName);
    const array = arrays.find((a) => a.name === wanted);
    if (array === undefined) throw new DriverNotFoundError(`RAID array ${wanted} does not exist`);
    await this.assertNotOnSystemDisk(array);
    await this.assertUsableNewMember(name, arrays);
    return { array, name };
  }

  private async prepareMemberAction(
    arrayName: string,
    device: string,
  ): Promise<{ array: RaidArray; member: RaidArray['members'][number]; name: string }> {
    const name = toKernelName(device);
    const array = await this.getArray(arrayName);
    const member = array.members.find((m) => toKernelName(m.device) === name);
    if (member === undefined) {
      throw new DriverNotFoundError(`/dev/${name} is not a member of ${array.name}`, {
        details: { array: array.name, device: `/dev/${name}` },
      });
    }
    await this.assertNotOnSystemDisk(array);
    return { array, member, name };
  }
}
