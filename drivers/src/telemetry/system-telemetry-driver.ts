import { access, statfs } from 'node:fs/promises';
import { join } from 'node:path';

import type si from 'systeminformation';

import type { Clock } from '../clock.js';
import { DriverFailedError, DriverValidationError } from '../errors.js';
import { listDirOrEmpty, readText, readTextOrNull } from '../sysfs-file.js';
import {
  cpuLoadPercent,
  parseDiskStats,
  parseMeminfo,
  parseMounts,
  parseNetDev,
  parseProcStat,
  parseUptime,
  selectReportedMounts,
  type CpuTimes,
  type MountEntry,
} from './parse-procfs.js';
import { RateTracker } from './rate-tracker.js';
import type {
  CpuLoad,
  DiskIo,
  FileSystemUsage,
  MemoryUsage,
  NetworkInterfaceStats,
  ProcessUsage,
  TelemetryDriver,
} from './telemetry-driver.js';

/** Options of {@link SystemTelemetryDriver}. */
export interface SystemTelemetryDriverOptions {
  /** Times the samples that rates are computed from. */
  readonly clock: Clock;
  /** Default `/proc`. */
  readonly procRoot?: string;
  /** Default `/sys`. */
  readonly sysfsRoot?: string;
}

type SystemInformation = typeof si;

const finite = (n: number | null | undefined): number =>
  typeof n === 'number' && Number.isFinite(n) ? n : 0;

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Real telemetry of a Linux host, unprivileged. The sampled figures (CPU, memory, network, disk I/O,
 * file systems, uptime) are asynchronous reads of procfs and sysfs plus one `statfs` per file system:
 * no child process, nothing that blocks the event loop, as the server samples every few seconds while
 * serving files. Only {@link SystemTelemetryDriver.getTopProcesses}, asked for on demand, uses the
 * systeminformation package (`ps`), loaded on its first call.
 *
 * Construction does no I/O, so the first {@link SystemTelemetryDriver.getCpuLoad} gives the average
 * since boot; later calls give the load since the previous call.
 *
 * Every method throws DriverUnavailableError when a file it needs is missing or unreadable, and
 * DriverFailedError when a file cannot be parsed.
 */
export class SystemTelemetryDriver implements TelemetryDriver {
  private readonly rates: RateTracker;
  private readonly procRoot: string;
  private readonly sysfsRoot: string;
  /** The last /proc/stat reading per CPU line, and the load last reported for it. */
  private readonly lastCpu = new Map<string, { times: CpuTimes; loadPercent: number }>();
  private systemInformation: Promise<SystemInformation> | undefined;

  constructor(options: SystemTelemetryDriverOptions) {
    this.rates = new RateTracker(options.clock);
    this.procRoot = options.procRoot ?? '/proc';
    this.sysfsRoot = options.sysfsRoot ?? '/sys';
  }

  /** From /proc/stat: busy ticks over all ticks since the previous call (since boot on the first). */
  async getCpuLoad(): Promise<CpuLoad> {
    const times = parseProcStat(await readText(join(this.procRoot, 'stat')));
    const loadOf = (now: CpuTimes): number => {
      const last = this.lastCpu.get(now.name);
      // No tick since the previous call (two calls within 10 ms): that call's figure still holds.
      const loadPercent = cpuLoadPercent(last?.times ?? null, now) ?? last?.loadPercent ?? 0;
      this.lastCpu.set(now.name, { times: now, loadPercent });
      return loadPercent;
    };
    let loadPercent = 0;
    const cores: { core: number; loadPercent: number }[] = [];
    for (const cpu of times) {
      if (cpu.name === 'cpu') loadPercent = loadOf(cpu);
      else cores.push({ core: Number(cpu.name.slice(3)), loadPercent: loadOf(cpu) });
    }
    return { loadPercent, cores };
  }

  /** From /proc/meminfo; used = total - available. */
  async getMemory(): Promise<MemoryUsage> {
    const mem = parseMeminfo(await readText(join(this.procRoot, 'meminfo')));
    return {
      totalBytes: mem.totalBytes,
      usedBytes: mem.totalBytes - mem.availableBytes,
      availableBytes: mem.availableBytes,
      swapTotalBytes: mem.swapTotalBytes,
      swapUsedBytes: Math.max(0, mem.swapTotalBytes - mem.swapFreeBytes),
    };
  }

  /**
   * Every interface of /proc/net/dev, loopback included. Up when its sysfs `operstate` is `up` or
   * `unknown` (what loopback and some tunnels report); down when it is anything else or missing.
   */
  async getNetwork(): Promise<NetworkInterfaceStats[]> {
    const counters = parseNetDev(await readText(join(this.procRoot, 'net', 'dev')));
    return Promise.all(
      counters.map(async (c) => {
        // Interface names cannot hold a slash; the check keeps a bad line from reading elsewhere.
        const state = c.name.includes('/')
          ? null
          : await readTextOrNull(join(this.sysfsRoot, 'class', 'net', c.name, 'operstate'));
        return {
          name: c.name,
          isUp: state === 'up' || state === 'unknown',
          rxBytes: c.rxBytes,
          txBytes: c.txBytes,
          rxBytesPerSecond: this.rates.rate(`net:${c.name}:rx`, c.rxBytes),
          txBytesPerSecond: this.rates.rate(`net:${c.name}:tx`, c.txBytes),
        };
      }),
    );
  }

  /**
   * Bytes read and written by the whole physical disks: the /proc/diskstats entries that are in
   * `<sys>/block` (partitions are not) and have a `device` link there (loop, ram, zram, dm-* and md
   * devices, which are virtual, have none). Counting only those counts each byte once at the disk
   * that moved it: a write to a RAID1 array counts once per member, which is what the disks did.
   * Null when /proc/diskstats or `<sys>/block` is missing.
   */
  async getDiskIo(): Promise<DiskIo | null> {
    const blockDir = join(this.sysfsRoot, 'block');
    const [text, blockDevices] = await Promise.all([
      readTextOrNull(join(this.procRoot, 'diskstats')),
      listDirOrEmpty(blockDir),
    ]);
    if (text === null || blockDevices.length === 0) return null;
    const isPhysical = await Promise.all(blockDevices.map((name) => exists(join(blockDir, name, 'device'))));
    const disks = new Set(blockDevices.filter((_, i) => isPhysical[i] === true));
    let readBytes = 0;
    let writtenBytes = 0;
    for (const d of parseDiskStats(text)) {
      if (!disks.has(d.name)) continue;
      readBytes += d.readBytes;
      writtenBytes += d.writtenBytes;
    }
    return {
      readBytes,
      writtenBytes,
      readBytesPerSecond: this.rates.rate('disk:read', readBytes),
      writeBytesPerSecond: this.rates.rate('disk:write', writtenBytes),
    };
  }

  /**
   * The block-device file systems of /proc/mounts (see {@link selectReportedMounts} for which), with
   * `statfs` figures: used = blocks - free, available = blocks available to unprivileged users, and
   * usedPercent = used / (used + available), as `df` computes it (two decimals). A file system
   * `statfs` fails on (unmounted meanwhile, not accessible to this user) or of size 0 is left out.
   */
  async getFileSystems(): Promise<FileSystemUsage[]> {
    const mounts = selectReportedMounts(parseMounts(await readText(join(this.procRoot, 'mounts'))));
    const usage = await Promise.all(mounts.map((m) => this.usageOf(m)));
    return usage.filter((u): u is FileSystemUsage => u !== null);
  }

  /** From /proc/uptime, with its hundredths. */
  async getUptimeSeconds(): Promise<number> {
    return parseUptime(await readText(join(this.procRoot, 'uptime')));
  }

  /** From systeminformation's `processes()` (`ps`), loaded on the first call. */
  async getTopProcesses(limit: number): Promise<ProcessUsage[]> {
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw new DriverValidationError('limit must be an integer 1-100', { details: { limit } });
    }
    let data;
    try {
      this.systemInformation ??= import('systeminformation').then((m) => m.default);
      data = await (await this.systemInformation).processes();
    } catch (error) {
      throw new DriverFailedError('cannot read the process list from the system', { cause: error });
    }
    return (
      [...data.list]
        .sort((a, b) => b.cpu - a.cpu || b.memRss - a.memRss)
        .slice(0, limit)
        // systeminformation reports memRss in KiB.
        .map((p) => ({
          pid: p.pid,
          name: p.name,
          cpuPercent: finite(p.cpu),
          memoryBytes: finite(p.memRss) * 1024,
        }))
    );
  }

  private async usageOf(mount: MountEntry): Promise<FileSystemUsage | null> {
    let stats;
    try {
      stats = await statfs(mount.mountPoint);
    } catch {
      return null;
    }
    if (stats.blocks === 0) return null;
    const usedBytes = (stats.blocks - stats.bfree) * stats.bsize;
    const availableBytes = stats.bavail * stats.bsize;
    const usable = usedBytes + availableBytes;
    return {
      device: mount.device,
      mountPoint: mount.mountPoint,
      type: mount.type,
      sizeBytes: stats.blocks * stats.bsize,
      usedBytes,
      availableBytes,
      usedPercent: usable > 0 ? Math.round((usedBytes * 10_000) / usable) / 100 : 0,
    };
  }
}
