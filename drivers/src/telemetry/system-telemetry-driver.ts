import si from 'systeminformation';

import type { Clock } from '../clock.js';
import { DriverFailedError, DriverValidationError } from '../errors.js';
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
}

async function read<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw new DriverFailedError(`cannot read ${what} from the system`, { cause: error });
  }
}

const finite = (n: number | null | undefined): number =>
  typeof n === 'number' && Number.isFinite(n) ? n : 0;

/** Real telemetry on systeminformation (procfs, `df`, `ps`). Works unprivileged, on any Linux host. */
export class SystemTelemetryDriver implements TelemetryDriver {
  private readonly rates: RateTracker;

  constructor(options: SystemTelemetryDriverOptions) {
    this.rates = new RateTracker(options.clock);
  }

  async getCpuLoad(): Promise<CpuLoad> {
    const load = await read('the CPU load', () => si.currentLoad());
    return {
      loadPercent: finite(load.currentLoad),
      cores: load.cpus.map((c, core) => ({ core, loadPercent: finite(c.load) })),
    };
  }

  async getMemory(): Promise<MemoryUsage> {
    const mem = await read('memory usage', () => si.mem());
    return {
      totalBytes: mem.total,
      usedBytes: mem.total - mem.available,
      availableBytes: mem.available,
      swapTotalBytes: mem.swaptotal,
      swapUsedBytes: mem.swapused,
    };
  }

  async getNetwork(): Promise<NetworkInterfaceStats[]> {
    const stats = await read('network counters', () => si.networkStats('*'));
    return stats.map((s) => ({
      name: s.iface,
      isUp: s.operstate === 'up' || s.operstate === 'unknown',
      rxBytes: finite(s.rx_bytes),
      txBytes: finite(s.tx_bytes),
      rxBytesPerSecond: this.rates.rate(`net:${s.iface}:rx`, finite(s.rx_bytes)),
      txBytesPerSecond: this.rates.rate(`net:${s.iface}:tx`, finite(s.tx_bytes)),
    }));
  }

  async getDiskIo(): Promise<DiskIo | null> {
    const stats = await read('disk I/O counters', () => si.fsStats());
    // systeminformation returns null (typed as an object) on platforms without counters.
    const data = stats as typeof stats | null;
    if (data === null) return null;
    return {
      readBytes: finite(data.rx),
      writtenBytes: finite(data.wx),
      readBytesPerSecond: this.rates.rate('disk:read', finite(data.rx)),
      writeBytesPerSecond: this.rates.rate('disk:write', finite(data.wx)),
    };
  }

  async getFileSystems(): Promise<FileSystemUsage[]> {
    const list = await read('file-system usage', () => si.fsSize());
    return list.map((f) => ({
      device: f.fs,
      mountPoint: f.mount,
      type: f.type,
      sizeBytes: finite(f.size),
      usedBytes: finite(f.used),
      availableBytes: finite(f.available),
      usedPercent: finite(f.use),
    }));
  }

  getUptimeSeconds(): Promise<number> {
    return read('the uptime', () => Promise.resolve(si.time().uptime));
  }

  async getTopProcesses(limit: number): Promise<ProcessUsage[]> {
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw new DriverValidationError('limit must be an integer 1-100', { details: { limit } });
    }
    const data = await read('the process list', () => si.processes());
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
}
