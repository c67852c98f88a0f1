import { join } from 'node:path';

import { DriverValidationError } from '../errors.js';
import { listDirOrEmpty, readIntegerOrNull, readTextOrNull } from '../sysfs-file.js';
import { parseProcMounts } from './parse-proc-mounts.js';

/** Mount points whose disks count as "the running system". */
export const SYSTEM_MOUNT_POINTS: readonly string[] = ['/', '/boot', '/boot/efi', '/efi'];

const DEVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const ARRAY_NAME = /^md[A-Za-z0-9_]{1,32}$/;

/**
 * Turns `sdb` or `/dev/sdb` into the kernel name `sdb`.
 * @throws DriverValidationError for anything else (paths elsewhere, option-like strings).
 */
export function toKernelName(device: string): string {
  const name = device.startsWith('/dev/') ? device.slice('/dev/'.length) : device;
  if (!DEVICE_NAME.test(name)) {
    throw new DriverValidationError(`"${device}" is not a block device name like sdb or /dev/sdb`, {
      details: { device },
    });
  }
  return name;
}

/**
 * Turns `md0` or `/dev/md0` into `md0`.
 * @throws DriverValidationError when it is not an md name.
 */
export function toArrayName(name: string): string {
  const short = name.startsWith('/dev/') ? name.slice('/dev/'.length) : name;
  if (!ARRAY_NAME.test(short)) {
    throw new DriverValidationError(`"${name}" is not an md array name like md0`, { details: { name } });
  }
  return short;
}

/** Guesses the disk of a partition from its name (`sda1` → `sda`, `nvme0n1p2` → `nvme0n1`). */
export function diskNameFromPartitionName(name: string): string {
  const p = /^(.*\d)p\d+$/.exec(name);
  if (p?.[1] !== undefined) return p[1];
  return name.replace(/\d+$/, '') || name;
}

/** Block-device topology read from sysfs: partitions, md/dm slaves, sizes. */
export class BlockDeviceTopology {
  constructor(
    private readonly sysfsRoot: string,
    private readonly procRoot: string,
  ) {}

  /** True when `<sysfs>/block/<name>` exists (a whole disk, md or dm device). */
  async isWholeDevice(name: string): Promise<boolean> {
    return (await readTextOrNull(join(this.sysfsRoot, 'block', name, 'size'))) !== null;
  }

  /** The whole device holding partition `name`, found by scanning `<sysfs>/block/*\/<name>`; null when none does. */
  async parentOf(name: string): Promise<string | null> {
    for (const disk of await listDirOrEmpty(join(this.sysfsRoot, 'block'))) {
      if ((await readTextOrNull(join(this.sysfsRoot, 'block', disk, name, 'partition'))) !== null)
        return disk;
    }
    return null;
  }

  /** True when `name` is a whole device or a partition known to sysfs. */
  async exists(name: string): Promise<boolean> {
    return (await this.isWholeDevice(name)) || (await this.parentOf(name)) !== null;
  }

  /**
   * The physical disks under a device: a partition's disk; an md or dm device's members, recursively.
   * Unknown names fall back to the name-based guess so that a missing sysfs entry never hides a system disk.
   */
  async physicalDisksOf(name: string, depth = 0): Promise<Set<string>> {
    if (depth > 8) return new Set([name]);
    if (await this.isWholeDevice(name)) {
      const slaves = await listDirOrEmpty(join(this.sysfsRoot, 'block', name, 'slaves'));
      if (slaves.length === 0) return new Set([name]);
      const disks = new Set<string>();
      for (const slave of slaves) for (const d of await this.physicalDisksOf(slave, depth + 1)) disks.add(d);
      return disks;
    }
    const parent = await this.parentOf(name);
    if (parent !== null) return this.physicalDisksOf(parent, depth + 1);
    return new Set([diskNameFromPartitionName(name)]);
  }

  /** Kernel name of a /proc/mounts source: `/dev/sda1` → `sda1`, `/dev/mapper/vg-root` → `dm-N`; null when not a block device. */
  async kernelNameOfMountSource(source: string): Promise<string | null> {
    if (source.startsWith('/dev/mapper/')) {
      const dmName = source.slice('/dev/mapper/'.length);
      for (const entry of await listDirOrEmpty(join(this.sysfsRoot, 'block'))) {
        if (!entry.startsWith('dm-')) continue;
        if ((await readTextOrNull(join(this.sysfsRoot, 'block', entry, 'dm', 'name'))) === dmName)
          return entry;
      }
      return null;
    }
    if (!source.startsWith('/dev/')) return null;
    const name = source.slice('/dev/'.length);
    return DEVICE_NAME.test(name) ? name : null;
  }

  /**
   * The physical disks holding `/`, `/boot`, `/boot/efi` or `/efi`, read from `<proc>/mounts` and sysfs.
   * Empty when the system runs from something that is not a local disk (overlay, NFS, tmpfs).
   */
  async systemDisks(): Promise<Set<string>> {
    const mounts = parseProcMounts((await readTextOrNull(join(this.procRoot, 'mounts'))) ?? '');
    const disks = new Set<string>();
    for (const mount of mounts) {
      if (!SYSTEM_MOUNT_POINTS.includes(mount.mountPoint)) continue;
      const name = await this.kernelNameOfMountSource(mount.source);
      if (name === null) continue;
      for (const disk of await this.physicalDisksOf(name)) disks.add(disk);
    }
    return disks;
  }

  /** Whole disks (no md, dm, loop, ram, zram, optical) with their size in bytes. */
  async listDisks(): Promise<{ name: string; sizeBytes: number }[]> {
    const disks: { name: string; sizeBytes: number }[] = [];
    for (const name of (await listDirOrEmpty(join(this.sysfsRoot, 'block'))).sort()) {
      if (/^(md|dm-|loop|ram|zram|sr|fd|nbd)/.test(name)) continue;
      const sectors = await readIntegerOrNull(join(this.sysfsRoot, 'block', name, 'size'));
      // sysfs `size` is always in 512-byte sectors, whatever the logical block size.
      if (sectors !== null) disks.push({ name, sizeBytes: sectors * 512 });
    }
    return disks;
  }
}
