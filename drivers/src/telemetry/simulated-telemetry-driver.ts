import type { Clock } from '../clock.js';
import { DriverValidationError } from '../errors.js';
import type {
  CpuLoad,
  DiskIo,
  FileSystemUsage,
  MemoryUsage,
  NetworkInterfaceStats,
  ProcessUsage,
  TelemetryDriver,
} from './telemetry-driver.js';
import { RateTracker } from './rate-tracker.js';

const GIB = 1024 ** 3;
const CORE_OFFSETS = [0, 6, -4, 2];

/** Options of {@link SimulatedTelemetryDriver}. */
export interface SimulatedTelemetryDriverOptions {
  readonly clock: Clock;
}

/**
 * Deterministic telemetry for server tests: a 4-core, 8 GiB host whose numbers follow the load set
 * with {@link SimulatedTelemetryDriver.setLoad} and the injected clock (counters grow at rates set by
 * the load; uptime counts from the driver's creation).
 */
export class SimulatedTelemetryDriver implements TelemetryDriver {
  private readonly clock: Clock;
  private readonly bootMs: number;
  private readonly rates: RateTracker;
  private loadPercent = 10;
  private lastMs: number;
  private counters = { rx: 0, tx: 0, read: 0, written: 0 };

  constructor(options: SimulatedTelemetryDriverOptions) {
    this.clock = options.clock;
    this.bootMs = options.clock.now();
    this.lastMs = this.bootMs;
    this.rates = new RateTracker(options.clock);
  }

  /** Load hook: 0-100 %. */
  setLoad(loadPercent: number): void {
    if (!(loadPercent >= 0 && loadPercent <= 100)) throw new DriverValidationError('load must be 0-100 %');
    this.accumulate();
    this.loadPercent = loadPercent;
  }

  getCpuLoad(): Promise<CpuLoad> {
    const cores = CORE_OFFSETS.map((offset, core) => ({
      core,
      loadPercent: Math.min(100, Math.max(0, this.loadPercent + offset)),
    }));
    return Promise.resolve({
      loadPercent: cores.reduce((sum, c) => sum + c.loadPercent, 0) / cores.length,
      cores,
    });
  }

  getMemory(): Promise<MemoryUsage> {
    const usedBytes = Math.round(2 * GIB + (this.loadPercent / 100) * 4 * GIB);
    return Promise.resolve({
      totalBytes: 8 * GIB,
      usedBytes,
      availableBytes: 8 * GIB - usedBytes,
      swapTotalBytes: 2 * GIB,
      swapUsedBytes: 0,
    });
  }

  getNetwork(): Promise<NetworkInterfaceStats[]> {
    this.accumulate();
    return Promise.resolve([
      {
        name: 'eth0',
        isUp: true,
        rxBytes: this.counters.rx,
        txBytes: this.counters.tx,
        rxBytesPerSecond: this.rates.rate('rx', this.counters.rx),
        txBytesPerSecond: this.rates.rate('tx', this.counters.tx),
      },
    ]);
  }

  getDiskIo(): Promise<DiskIo | null> {
    this.accumulate();
    return Promise.resolve({
      readBytes: this.counters.read,
      writtenBytes: this.counters.written,
      readBytesPerSecond: this.rates.rate('read', this.counters.read),
      writeBytesPerSecond: this.rates.rate('written', this.counters.written),
    });
  }

  getFileSystems(): Promise<FileSystemUsage[]> {
    const fs = (
      device: string,
      mountPoint: string,
      sizeBytes: number,
      usedBytes: number,
    ): FileSystemUsage => ({
      device,
      mountPoint,
      type: 'ext4',
      sizeBytes,
      usedBytes,
      availableBytes: sizeBytes - usedBytes,
      usedPercent: Math.round((usedBytes * 1000) / sizeBytes) / 10,
    });
    return Promise.resolve([
      fs('/dev/nvme0n1p2', '/', 60_000_000_000, 12_000_000_000),
      fs('/dev/md0', '/srv/baluhost', 4_900_000_000, 1_200_000_000),
    ]);
  }

  getUptimeSeconds(): Promise<number> {
    return Promise.resolve(Math.floor((this.clock.now() - this.bootMs) / 1000));
  }

  getTopProcesses(limit: number): Promise<ProcessUsage[]> {
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      return Promise.reject(
        new DriverValidationError('limit must be an integer 1-100', { details: { limit } }),
      );
    }
    const l = this.loadPercent / 100;
    const all: ProcessUsage[] = [
      { pid: 812, name: 'node', cpuPercent: 5 + 60 * l, memoryBytes: 180 * 1024 ** 2 },
      { pid: 640, name: 'smbd', cpuPercent: 2 + 30 * l, memoryBytes: 40 * 1024 ** 2 },
      { pid: 1, name: 'systemd', cpuPercent: 0.1, memoryBytes: 12 * 1024 ** 2 },
      { pid: 301, name: 'md0_raid1', cpuPercent: 1 + 5 * l, memoryBytes: 0 },
    ];
    return Promise.resolve(all.sort((a, b) => b.cpuPercent - a.cpuPercent).slice(0, limit));
  }

  /** Integrates the counters up to now at the rates the current load sets. */
  private accumulate(): void {
    const now = this.clock.now();
    const seconds = Math.max(0, now - this.lastMs) / 1000;
    this.lastMs = now;
    const l = this.loadPercent / 100;
    this.counters = {
      rx: this.counters.rx + Math.round(seconds * (100_000 + 10_000_000 * l)),
      tx: this.counters.tx + Math.round(seconds * (50_000 + 40_000_000 * l)),
      read: this.counters.read + Math.round(seconds * (20_000 + 80_000_000 * l)),
      written: this.counters.written + Math.round(seconds * (10_000 + 20_000_000 * l)),
    };
  }
}
