/** Fans and temperature sensors (Linux hwmon). PWM duty 0-255, temperatures in °C, speeds in rpm. */

/** How a PWM output is driven: `manual` (pwmN_enable = 1), `auto` (chip or firmware curve, >= 2), `full` (0: no control, full speed). */
export type FanMode = 'manual' | 'auto' | 'full' | 'unknown';

/** One fan channel: a tachometer input, a PWM output, or both with the same index. */
export interface Fan {
  /** `<hwmonN>/fan<N>`, e.g. `hwmon3/fan1`. hwmon numbers can change across boots: match on chip and label too. */
  readonly id: string;
  /** The chip's `name`, e.g. `nct6779`. */
  readonly chip: string;
  readonly label: string;
  /** Tachometer reading; null without a tachometer. */
  readonly rpm: number | null;
  /** Duty 0-255; null without a PWM output. */
  readonly pwm: number | null;
  /** Duty in percent 0-100; null without a PWM output. */
  readonly pwmPercent: number | null;
  readonly mode: FanMode;
  /** True when it has a PWM output BaluHost can drive. */
  readonly isControllable: boolean;
}

/** One temperature input. */
export interface TemperatureSensor {
  /** `<hwmonN>/temp<N>`, e.g. `hwmon0/temp1`. */
  readonly id: string;
  readonly chip: string;
  readonly label: string;
  /** null when the sensor cannot be read right now. */
  readonly celsius: number | null;
}

/** Fan and temperature-sensor driver. */
export interface FanDriver {
  /** Lists fan channels with speed, duty and mode. @throws DriverUnavailableError when hwmon cannot be read. */
  listFans(): Promise<Fan[]>;

  /** Lists temperature sensors with their current reading. */
  listSensors(): Promise<TemperatureSensor[]>;

  /**
   * Reads one sensor, in °C.
   * @throws DriverNotFoundError for an unknown id; DriverUnavailableError / DriverFailedError when it cannot be read.
   */
  readSensor(sensorId: string): Promise<number>;

  /**
   * Switches a PWM output between manual control and the chip's automatic mode (the automatic mode
   * it had before BaluHost took over, else 2).
   * @throws DriverNotFoundError; DriverValidationError when the fan has no PWM output.
   */
  setMode(fanId: string, mode: 'manual' | 'auto'): Promise<void>;

  /**
   * Sets the PWM duty (0-255), switching the output to manual first when needed.
   * @throws DriverNotFoundError; DriverValidationError for a duty outside 0-255 or a fan without PWM.
   */
  setPwm(fanId: string, pwm: number): Promise<void>;
}

/** Full duty. */
export const PWM_MAX = 255;
