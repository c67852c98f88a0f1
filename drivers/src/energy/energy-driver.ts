/** Energy meters (smart plugs that measure what the NAS draws). Power in watts, energy in watt-hours. */

/** A meter the driver can read. */
export interface EnergyMeter {
  /** Stable id within the driver (the configured name of a plug). */
  readonly id: string;
  /** What the device calls itself (a Tapo plug's nickname); null when it says nothing. */
  readonly name: string | null;
  /** `P110`, `simulated`... */
  readonly model: string | null;
  /** Whether the plug's relay is on; null when the device does not say. */
  readonly isOn: boolean | null;
}

/** One reading of a meter. */
export interface EnergyReading {
  readonly meterId: string;
  /** Draw right now, in watts. */
  readonly powerWatts: number;
  /** Energy since local midnight, in watt-hours; null when the device does not count it. */
  readonly todayEnergyWh: number | null;
  /** Energy since the first of the month, in watt-hours; null when the device does not count it. */
  readonly monthEnergyWh: number | null;
  /** When the reading was taken (driver clock), milliseconds since the epoch. */
  readonly atMs: number;
}

/** Energy metering driver. */
export interface EnergyDriver {
  /**
   * The meters, each asked for what it is.
   * @throws DriverUnavailableError when a device cannot be reached; DriverTimeoutError; DriverFailedError when it
   * refuses the credentials or answers something unreadable.
   */
  listMeters(): Promise<EnergyMeter[]>;

  /**
   * One meter's reading.
   * @throws DriverNotFoundError for an unknown meter id; otherwise as {@link EnergyDriver.listMeters}.
   */
  getReading(meterId: string): Promise<EnergyReading>;
}
