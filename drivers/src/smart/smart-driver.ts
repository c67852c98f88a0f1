/** S.M.A.R.T. disk health. Sizes in bytes, temperatures in °C, durations in seconds. */

/** How smartctl talks to the device. */
export type SmartProtocol = 'ATA' | 'NVMe' | 'SCSI' | 'unknown';

/** The drive's own verdict (`smart_status.passed`); UNKNOWN when it gives none. */
export type SmartHealth = 'PASSED' | 'FAILED' | 'UNKNOWN';

/** A disk smartctl can query. */
export interface SmartDevice {
  /** e.g. `/dev/sda`, `/dev/nvme0`. */
  readonly device: string;
  /** smartctl's device type (`sat`, `nvme`, `scsi`, `megaraid,0`...). */
  readonly type: string;
  readonly protocol: SmartProtocol;
}

/** One ATA attribute. `value`, `worst` and `thresh` are the normalised 1-253 scale; `raw` is the vendor counter. */
export interface SmartAttribute {
  readonly id: number;
  readonly name: string;
  readonly value: number;
  readonly worst: number;
  readonly thresh: number;
  readonly raw: number;
  /** The raw value as smartctl prints it, e.g. `32 (Min/Max 24/38)`. */
  readonly rawString: string;
  /** A pre-failure attribute: at or below threshold means imminent failure. */
  readonly isPrefailure: boolean;
  /** smartctl's `when_failed: "now"`: the value is at or below its threshold now. */
  readonly isFailingNow: boolean;
  /** `when_failed: "past"`: it was at or below its threshold once. */
  readonly hasFailedInPast: boolean;
}

/** NVMe health log, in base units. */
export interface SmartNvmeHealth {
  /** Bit field: 0x01 spare low, 0x02 temperature, 0x04 reliability degraded, 0x08 read-only, 0x10 volatile backup failed. */
  readonly criticalWarning: number;
  readonly availableSparePercent: number | null;
  readonly availableSpareThresholdPercent: number | null;
  /** Wear estimate, 0-100 (may exceed 100). */
  readonly percentageUsed: number | null;
  readonly mediaErrors: number;
  readonly errorLogEntries: number;
  readonly unsafeShutdowns: number | null;
  /** NVMe data units are 512 000 bytes. */
  readonly dataReadBytes: number | null;
  readonly dataWrittenBytes: number | null;
}

/** SCSI/SAS health counters. */
export interface SmartScsiHealth {
  readonly grownDefects: number | null;
  readonly uncorrectedReadErrors: number | null;
  readonly uncorrectedWriteErrors: number | null;
}

/** The self-test types {@link SmartDriver.startSelfTest} runs. */
export const SMART_SELF_TEST_TYPES = ['short', 'long'] as const;
/** One of {@link SMART_SELF_TEST_TYPES}. */
export type SmartSelfTestType = (typeof SMART_SELF_TEST_TYPES)[number];

/** One entry of the self-test log, newest first. */
export interface SmartSelfTestEntry {
  /** As the drive names it, e.g. `Short offline`, `Extended offline`. */
  readonly type: string;
  /** e.g. `Completed without error`, `Completed: read failure`. */
  readonly status: string;
  /** null when the entry does not say. */
  readonly isPassed: boolean | null;
  /** Power-on time at which it ran, in seconds. */
  readonly lifetimeSeconds: number | null;
}

/** The self-test state of a drive. */
export interface SmartSelfTestStatus {
  readonly isRunning: boolean;
  /** 0-100 while running, else null. */
  readonly remainingPercent: number | null;
  readonly log: readonly SmartSelfTestEntry[];
}

/** Everything BaluHost reports about a drive's health. */
export interface SmartReport {
  readonly device: string;
  readonly protocol: SmartProtocol;
  readonly model: string | null;
  readonly serial: string | null;
  readonly firmware: string | null;
  readonly capacityBytes: number | null;
  /** 0 for solid-state drives; null when unknown. */
  readonly rotationRpm: number | null;
  readonly health: SmartHealth;
  readonly temperatureCelsius: number | null;
  readonly powerOnSeconds: number | null;
  readonly powerCycles: number | null;
  /** ATA attributes; empty for NVMe and SCSI. */
  readonly attributes: readonly SmartAttribute[];
  readonly nvme: SmartNvmeHealth | null;
  readonly scsi: SmartScsiHealth | null;
  readonly selfTest: SmartSelfTestStatus;
  /**
   * Human-readable early warnings even when `health` is PASSED: reallocated, pending or uncorrectable
   * sectors, attributes at threshold, NVMe critical warnings and media errors, SCSI grown defects.
   */
  readonly warnings: readonly string[];
}

/**
 * S.M.A.R.T. driver. Device arguments are paths under /dev (`/dev/sda`, `/dev/nvme0`).
 */
export interface SmartDriver {
  /**
   * Lists the drives that answer S.M.A.R.T.
   * @throws DriverUnavailableError when smartctl is not installed.
   */
  listDevices(): Promise<SmartDevice[]>;

  /**
   * Reads health, identity, attributes, temperature and the self-test log of one drive.
   * @throws DriverValidationError for a device argument that is not a /dev path.
   * @throws DriverNotFoundError when the simulated drive does not exist.
   * @throws DriverUnavailableError when smartctl is missing or cannot open the device.
   * @throws DriverFailedError when smartctl fails or prints something unparsable.
   */
  getReport(device: string): Promise<SmartReport>;

  /**
   * Starts a self-test in the drive's background (`short`: about 2 minutes, `long`: hours).
   * @throws as {@link SmartDriver.getReport}; DriverValidationError for an unknown type or (simulated) a test already running.
   */
  startSelfTest(device: string, type: SmartSelfTestType): Promise<void>;

  /** The running self-test and the self-test log. @throws as {@link SmartDriver.getReport}. */
  getSelfTestStatus(device: string): Promise<SmartSelfTestStatus>;
}
