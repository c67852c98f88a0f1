/**
 * Pure parsers of the procfs files the real telemetry driver samples (proc(5)). Each takes the file's
 * text and returns base units (bytes, seconds, clock ticks).
 */
import { DriverFailedError } from '../errors.js';

/** Cumulative CPU time of one line of /proc/stat (`cpu` = all CPUs, `cpuN` = one), in clock ticks since boot. */
export interface CpuTimes {
  /** `cpu` or `cpuN`. */
  readonly name: string;
  /** Ticks not spent idle or waiting for I/O. */
  readonly busyTicks: number;
  /** All ticks (user through steal). */
  readonly totalTicks: number;
}

/** Memory figures of /proc/meminfo, in bytes. */
export interface MemInfo {
  readonly totalBytes: number;
  /** MemAvailable; on kernels before 3.14, MemFree + Buffers + Cached. */
  readonly availableBytes: number;
  readonly swapTotalBytes: number;
  readonly swapFreeBytes: number;
}

/** Byte counters of one interface in /proc/net/dev. */
export interface NetDevCounters {
  readonly name: string;
  readonly rxBytes: number;
  readonly txBytes: number;
}

/** Byte counters of one block device in /proc/diskstats. */
export interface DiskCounters {
  readonly name: string;
  readonly readBytes: number;
  readonly writtenBytes: number;
}

/** One line of /proc/mounts, escapes decoded. */
export interface MountEntry {
  readonly device: string;
  readonly mountPoint: string;
  readonly type: string;
}

/** /proc/diskstats counts sectors of 512 bytes whatever the device's block size (Documentation/admin-guide/iostats.rst). */
const SECTOR_BYTES = 512;

function unparsable(file: string, detail: string): DriverFailedError {
  return new DriverFailedError(`cannot parse ${file}: ${detail}`, { details: { file } });
}

function toCount(text: string | undefined): number | null {
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : null;
}

/**
 * The `cpu` and `cpuN` lines of /proc/stat. The total is user + nice + system + idle + iowait + irq +
 * softirq + steal; guest and guest_nice are left out because the kernel already counts them in user
 * and nice. Busy is the total minus idle and iowait (a CPU waiting for I/O is free to run work).
 * @throws DriverFailedError when there is no `cpu` line or a CPU line has fewer than four counters.
 */
export function parseProcStat(text: string): CpuTimes[] {
  const cpus: CpuTimes[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const name = fields[0] ?? '';
    if (!/^cpu\d*$/.test(name)) continue;
    // Kernels before 2.6 have four counters, 2.6.11+ eight or more; missing ones count as 0.
    const ticks = fields.slice(1, 9).map(toCount);
    if (ticks.length < 4 || ticks.some((t) => t === null)) {
      throw unparsable('/proc/stat', `bad line for ${name}`);
    }
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] =
      ticks as number[];
    const totalTicks = user + nice + system + idle + iowait + irq + softirq + steal;
    cpus.push({ name, busyTicks: totalTicks - idle - iowait, totalTicks });
  }
  if (!cpus.some((c) => c.name === 'cpu')) throw unparsable('/proc/stat', 'no cpu line');
  return cpus;
}

/**
 * Load in percent (0-100) between two readings of the same CPU line; null when no tick elapsed
 * (no information), and the since-boot average when `before` is null.
 */
export function cpuLoadPercent(before: CpuTimes | null, after: CpuTimes): number | null {
  const total = after.totalTicks - (before?.totalTicks ?? 0);
  const busy = after.busyTicks - (before?.busyTicks ?? 0);
  if (total <= 0) return null;
  return Math.min(100, Math.max(0, (busy * 100) / total));
}

/**
 * MemTotal, MemAvailable, SwapTotal and SwapFree of /proc/meminfo, kB (KiB) to bytes.
 * @throws DriverFailedError when MemTotal is missing.
 */
export function parseMeminfo(text: string): MemInfo {
  const kib = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([\w()]+):\s+(\d+)(?: kB)?$/.exec(line.trim());
    if (match?.[1] !== undefined && match[2] !== undefined) kib.set(match[1], Number(match[2]) * 1024);
  }
  const total = kib.get('MemTotal');
  if (total === undefined) throw unparsable('/proc/meminfo', 'no MemTotal');
  const available =
    kib.get('MemAvailable') ??
    (kib.get('MemFree') ?? 0) + (kib.get('Buffers') ?? 0) + (kib.get('Cached') ?? 0);
  return {
    totalBytes: total,
    availableBytes: Math.min(total, available),
    swapTotalBytes: kib.get('SwapTotal') ?? 0,
    swapFreeBytes: kib.get('SwapFree') ?? 0,
  };
}

/**
 * Received and transmitted bytes per interface of /proc/net/dev, in the file's order. The two header
 * lines are skipped; a large counter may touch the colon (`eth0:1234`), so the name ends at the colon.
 * @throws DriverFailedError when an interface line has fewer than nine counters.
 */
export function parseNetDev(text: string): NetDevCounters[] {
  const interfaces: NetDevCounters[] = [];
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    if (name.length === 0 || name.includes('|')) continue;
    const counters = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/);
    // Receive: bytes packets errs drop fifo frame compressed multicast; then transmit: bytes...
    const rxBytes = toCount(counters[0]);
    const txBytes = toCount(counters[8]);
    if (rxBytes === null || txBytes === null) throw unparsable('/proc/net/dev', `bad line for ${name}`);
    interfaces.push({ name, rxBytes, txBytes });
  }
  return interfaces;
}

/**
 * Bytes read and written per block device of /proc/diskstats (sectors read, field 6, and written,
 * field 10, times 512), every device listed: choosing which to count is the caller's business.
 * @throws DriverFailedError when a line has fewer than ten fields.
 */
export function parseDiskStats(text: string): DiskCounters[] {
  const disks: DiskCounters[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length === 1 && fields[0] === '') continue;
    const name = fields[2];
    const sectorsRead = toCount(fields[5]);
    const sectorsWritten = toCount(fields[9]);
    if (name === undefined || sectorsRead === null || sectorsWritten === null) {
      throw unparsable('/proc/diskstats', `bad line for ${name ?? '?'}`);
    }
    disks.push({
      name,
      readBytes: sectorsRead * SECTOR_BYTES,
      writtenBytes: sectorsWritten * SECTOR_BYTES,
    });
  }
  return disks;
}

/** Undoes the kernel's octal escapes in /proc/mounts fields (space \040, tab \011, newline \012, backslash \134). */
export function decodeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/**
 * Device, mount point and type of each line of /proc/mounts (fstab(5) format), escapes decoded.
 * @throws DriverFailedError when a line has fewer than three fields.
 */
export function parseMounts(text: string): MountEntry[] {
  const mounts: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim().length === 0) continue;
    const [device, mountPoint, type] = line.trim().split(/\s+/);
    if (device === undefined || mountPoint === undefined || type === undefined) {
      throw unparsable('/proc/mounts', 'a line has fewer than three fields');
    }
    mounts.push({
      device: decodeMountField(device),
      mountPoint: decodeMountField(mountPoint),
      type: decodeMountField(type),
    });
  }
  return mounts;
}

/**
 * Types not listed even with a path as device: SMB shares (`//server/share`) are remote, and a
 * squashfs is a read-only image (snaps, live media) that is always full.
 */
const UNLISTED_PATH_TYPES = new Set(['cifs', 'smb3', 'smbfs', 'squashfs']);

/**
 * The mounts a file-system usage report lists, one per mount point (the last mounted, the one
 * visible there), in the file's order:
 * - a file system whose device is a path (`/dev/sda1`, `/dev/mapper/…`, `/dev/md0`, `/dev/root`, an
 *   image file), except the types in {@link UNLISTED_PATH_TYPES};
 * - ZFS datasets, whose devices are names (`tank/data`);
 * - whatever is mounted at `/` (a container's overlay root).
 *
 * That leaves out the kernel's pseudo file systems (proc, sysfs, cgroup*, devpts...), memory-backed ones
 * (tmpfs, devtmpfs, ramfs), other overlays (one per container on a Docker host) and network file
 * systems (`host:/export`, `user@host:`), whose `statfs` can hang on a lost server, holding one of
 * libuv's few threads for good.
 */
export function selectReportedMounts(mounts: readonly MountEntry[]): MountEntry[] {
  const byMountPoint = new Map<string, MountEntry>();
  for (const mount of mounts) {
    const isListed =
      (mount.device.startsWith('/') && !UNLISTED_PATH_TYPES.has(mount.type)) ||
      mount.type === 'zfs' ||
      mount.mountPoint === '/';
    if (isListed) byMountPoint.set(mount.mountPoint, mount);
    // An unlisted mount over a listed one hides it.
    else byMountPoint.delete(mount.mountPoint);
  }
  return [...byMountPoint.values()];
}

/**
 * Seconds since boot: the first number of /proc/uptime.
 * @throws DriverFailedError when it is not a number.
 */
export function parseUptime(text: string): number {
  const first = text.trim().split(/\s+/)[0] ?? '';
  if (!/^\d+(\.\d+)?$/.test(first)) throw unparsable('/proc/uptime', 'not a number');
  return Number(first);
}
