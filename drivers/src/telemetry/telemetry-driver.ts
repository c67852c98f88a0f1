/** Host telemetry: load, memory, network, disk I/O, file systems, uptime, processes. Bytes, seconds, percent 0-100. */

/** CPU load over the last sampling interval. */
export interface CpuLoad {
  /** All cores, 0-100. */
  readonly loadPercent: number;
  readonly cores: readonly { readonly core: number; readonly loadPercent: number }[];
}

/** Memory and swap. `usedBytes` excludes caches the kernel can drop (total - available). */
export interface MemoryUsage {
  readonly totalBytes: number;
  readonly usedBytes: number;
  readonly availableBytes: number;
  readonly swapTotalBytes: number;
  readonly swapUsedBytes: number;
}

/** One network interface: counters since boot and rates since the previous call. */
export interface NetworkInterfaceStats {
  readonly name: string;
  readonly isUp: boolean;
  readonly rxBytes: number;
  readonly txBytes: number;
  /** null on the first call (no previous sample). */
  readonly rxBytesPerSecond: number | null;
  readonly txBytesPerSecond: number | null;
}

/** Block I/O of all disks: counters since boot and rates since the previous call. */
export interface DiskIo {
  readonly readBytes: number;
  readonly writtenBytes: number;
  readonly readBytesPerSecond: number | null;
  readonly writeBytesPerSecond: number | null;
}

/** One mounted file system. */
export interface FileSystemUsage {
  readonly device: string;
  readonly mountPoint: string;
  readonly type: string;
  readonly sizeBytes: number;
  readonly usedBytes: number;
  readonly availableBytes: number;
  /** 0-100. */
  readonly usedPercent: number;
}

/** One process. */
export interface ProcessUsage {
  readonly pid: number;
  readonly name: string;
  /** Percent of one core's time (can exceed 100 on several cores). */
  readonly cpuPercent: number;
  /** Resident set size. */
  readonly memoryBytes: number;
}

/**
 * Host telemetry driver. Methods never take arguments from clients except `limit`. Each throws
 * DriverUnavailableError when its source is missing or unreadable and DriverFailedError when the
 * source gives something it cannot parse.
 */
export interface TelemetryDriver {
  /** CPU load, total and per core (`core` is the kernel's CPU number). */
  getCpuLoad(): Promise<CpuLoad>;
  /** Memory and swap. */
  getMemory(): Promise<MemoryUsage>;
  /** Per-interface counters and rates (rates need two calls). */
  getNetwork(): Promise<NetworkInterfaceStats[]>;
  /** Disk I/O counters and rates (rates need two calls); null where the platform has no counters. */
  getDiskIo(): Promise<DiskIo | null>;
  /** Mounted file systems with usage. */
  getFileSystems(): Promise<FileSystemUsage[]>;
  /** Seconds since boot. */
  getUptimeSeconds(): Promise<number>;
  /**
   * The `limit` processes using the most CPU.
   * @throws DriverValidationError unless 1 <= limit <= 100.
   */
  getTopProcesses(limit: number): Promise<ProcessUsage[]>;
}
