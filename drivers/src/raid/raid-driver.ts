/** Software RAID (Linux md) as the rest of BaluHost sees it. All sizes in bytes, speeds in bytes/s, times in seconds. */

/** The RAID personalities md knows; `container` is an IMSM/DDF metadata container, `unknown` an inactive array with no level. */
export type RaidLevel =
  | 'linear'
  | 'raid0'
  | 'raid1'
  | 'raid4'
  | 'raid5'
  | 'raid6'
  | 'raid10'
  | 'multipath'
  | 'container'
  | 'unknown';

/** The RAID levels {@link RaidDriver.createArray} accepts. */
export const CREATABLE_RAID_LEVELS = ['raid0', 'raid1', 'raid5', 'raid6', 'raid10'] as const;
/** One of {@link CREATABLE_RAID_LEVELS}. */
export type CreatableRaidLevel = (typeof CREATABLE_RAID_LEVELS)[number];

/**
 * What the array is doing. A running sync wins over `degraded`: a rebuilding array is `recovering`
 * (see {@link RaidArray.isDegraded} for redundancy).
 */
export type RaidArrayState =
  'clean' | 'degraded' | 'recovering' | 'resyncing' | 'checking' | 'reshaping' | 'inactive';

/** The md sync actions that can be in progress (`/sys/block/mdX/md/sync_action`). */
export type RaidSyncAction = 'resync' | 'recover' | 'check' | 'repair' | 'reshape';

/** A member's role: `active` holds data (in sync or being rebuilt), `spare` waits, `faulty` failed. */
export type RaidMemberRole = 'active' | 'spare' | 'faulty';

/** One member device of an array. */
export interface RaidMember {
  /** Device path, e.g. `/dev/sda1`. */
  readonly device: string;
  readonly role: RaidMemberRole;
  /** RaidDevice slot (0-based), null for spares, faulty members and when unknown. */
  readonly slot: number | null;
  /** True while this member is being rebuilt (active role, not yet in sync). */
  readonly isRebuilding: boolean;
}

/** A sync in progress. */
export interface RaidSync {
  readonly action: RaidSyncAction;
  /** 0-100. */
  readonly progressPercent: number;
  /** Current speed in bytes per second; null when md reports none (e.g. resync=DELAYED). */
  readonly speedBytesPerSecond: number | null;
  /** Estimated seconds to completion; null when unknown. */
  readonly finishSeconds: number | null;
}

/** One md array. */
export interface RaidArray {
  /** Kernel name without `/dev/`, e.g. `md0`. */
  readonly name: string;
  readonly level: RaidLevel;
  readonly state: RaidArrayState;
  /** True when fewer members are in sync than the array has slots. */
  readonly isDegraded: boolean;
  /** Usable size in bytes (for an inactive array: the sum its members report). */
  readonly sizeBytes: number;
  /** Number of data slots (`Raid Devices`); null when md does not say (inactive arrays). */
  readonly raidDevices: number | null;
  readonly members: readonly RaidMember[];
  readonly sync: RaidSync | null;
}

/** A block device that could hold an array member. */
export interface RaidDisk {
  /** Device path, e.g. `/dev/sdc`. */
  readonly device: string;
  readonly sizeBytes: number;
  /** True when it holds the running system (mounted at / or /boot, directly or through md/dm): never touched. */
  readonly isSystemDisk: boolean;
  /** The array it (or one of its partitions) belongs to, null when free. */
  readonly arrayName: string | null;
}

/** md's global resync speed limits, in bytes per second. */
export interface RaidSyncSpeedLimits {
  readonly minBytesPerSecond: number;
  readonly maxBytesPerSecond: number;
}

/** Arguments of {@link RaidDriver.createArray}. */
export interface CreateRaidArrayRequest {
  /** Kernel name of the new array, `md<N>`. */
  readonly name: string;
  readonly level: CreatableRaidLevel;
  /** Device paths of the data members (at least 2; RAID5 3; RAID6 and RAID10 4). */
  readonly devices: readonly string[];
  /** Device paths added as hot spares. */
  readonly spares?: readonly string[];
}

/** The token from a previous CONFIRMATION_REQUIRED error. */
export interface Confirmation {
  readonly confirmToken?: string;
}

/**
 * Software RAID driver.
 *
 * Destructive actions (create, add, remove, fail, delete) are two-step: called without
 * `confirmToken` they throw CONFIRMATION_REQUIRED whose `details.confirmToken` must be passed to
 * the same call, with the same arguments, within the token's lifetime.
 * Every action refuses with FORBIDDEN a disk that holds the running system, and the arrays on it.
 * Device arguments accept `sdb` or `/dev/sdb`.
 */
export interface RaidDriver {
  /**
   * Lists the md arrays with their state, members and running sync.
   * @throws DriverUnavailableError when /proc/mdstat or mdadm is missing.
   * @throws DriverFailedError when mdadm fails or prints something unparsable.
   */
  listArrays(): Promise<RaidArray[]>;

  /**
   * One array by name (`md0`).
   * @throws DriverNotFoundError when there is no such array; otherwise as {@link RaidDriver.listArrays}.
   */
  getArray(name: string): Promise<RaidArray>;

  /** Lists whole disks that could take part in an array, marking the system disks. */
  listDisks(): Promise<RaidDisk[]>;

  /**
   * Creates an array over whole disks or partitions, wiping their contents.
   * @throws DriverValidationError for a bad name, level or member count, or a disk already in use.
   * @throws DriverForbiddenError when a device is on a system disk.
   * @throws ConfirmationRequiredError without a valid `confirmToken`.
   */
  createArray(request: CreateRaidArrayRequest, confirmation?: Confirmation): Promise<RaidArray>;

  /**
   * Adds a device as an active member: fills a missing slot of a degraded array (recovery starts)
   * or grows the array by one slot. Wipes the device.
   * @throws DriverNotFoundError, DriverValidationError, DriverForbiddenError, ConfirmationRequiredError.
   */
  addMember(arrayName: string, device: string, confirmation?: Confirmation): Promise<RaidArray>;

  /**
   * Adds a device as a hot spare (a degraded array starts rebuilding onto it at once). Wipes the device.
   * @throws DriverNotFoundError, DriverValidationError, DriverForbiddenError, ConfirmationRequiredError.
   */
  addSpare(arrayName: string, device: string, confirmation?: Confirmation): Promise<RaidArray>;

  /**
   * Removes a member; an active member is marked faulty first (the array degrades).
   * @throws DriverNotFoundError when the array or the member does not exist; DriverForbiddenError; ConfirmationRequiredError.
   */
  removeMember(arrayName: string, device: string, confirmation?: Confirmation): Promise<RaidArray>;

  /**
   * Marks a member faulty (the array degrades, a spare takes over if there is one).
   * @throws DriverNotFoundError, DriverValidationError (not an active member), DriverForbiddenError, ConfirmationRequiredError.
   */
  failMember(arrayName: string, device: string, confirmation?: Confirmation): Promise<RaidArray>;

  /**
   * Starts a scrub (`check`): md reads every stripe and counts mismatches.
   * @throws DriverNotFoundError; DriverValidationError when another sync is running or the level has no redundancy.
   */
  startCheck(arrayName: string): Promise<void>;

  /**
   * Stops a running check (sync_action = idle). A no-op when none runs.
   * @throws DriverNotFoundError.
   */
  stopCheck(arrayName: string): Promise<void>;

  /** md's global resync speed limits, bytes per second. */
  getSyncSpeedLimits(): Promise<RaidSyncSpeedLimits>;

  /**
   * Sets md's global resync speed limits (`/proc/sys/dev/raid/speed_limit_min|max`, KiB/s in the kernel).
   * @throws DriverValidationError unless 1 KiB/s <= min <= max.
   */
  setSyncSpeedLimits(limits: RaidSyncSpeedLimits): Promise<void>;

  /**
   * Stops an array and wipes the md superblocks of its members. Its data is gone.
   * @throws DriverNotFoundError, DriverForbiddenError, ConfirmationRequiredError;
   *   DriverFailedError when md refuses (e.g. the array is mounted).
   */
  deleteArray(arrayName: string, confirmation?: Confirmation): Promise<void>;
}
