import type { Clock } from '../clock.js';
import { DriverFailedError, DriverNotFoundError, DriverValidationError } from '../errors.js';
import type { Fan, FanDriver, TemperatureSensor } from './fan-driver.js';
import { PWM_MAX } from './fan-driver.js';

const AMBIENT_CELSIUS = 25;
/** Thermal time constant: the temperature covers 63 % of the way to equilibrium in this time. */
const TAU_MS = 20_000;
/** Duty of the simulated chip's own automatic mode (50 %). */
const AUTO_PWM = 128;

interface SimFan {
  readonly id: string;
  readonly label: string;
  readonly maxRpm: number;
  pwm: number;
  mode: 'manual' | 'auto';
}

interface SimSensor {
  readonly id: string;
  readonly label: string;
  celsius: number;
  isFailed: boolean;
}

/** Options of {@link SimulatedFanDriver}. */
export interface SimulatedFanDriverOptions {
  readonly clock: Clock;
}

/**
 * Simulated chip `baluhost-sim` (hwmon0) with a CPU fan (fan1, 2000 rpm) and a case fan (fan2,
 * 1500 rpm), and sensors CPU (temp1) and System (temp2). RPM is proportional to duty. Each
 * temperature moves towards an equilibrium set by the load (hook {@link SimulatedFanDriver.setLoad})
 * and the airflow of its fan, with an exact first-order response to the injected clock, so the same
 * clock and inputs give the same readings however often they are read. A sensor can be made to fail.
 */
export class SimulatedFanDriver implements FanDriver {
  private readonly clock: Clock;
  private readonly fans: SimFan[] = [
    { id: 'hwmon0/fan1', label: 'CPU fan', maxRpm: 2000, pwm: AUTO_PWM, mode: 'auto' },
    { id: 'hwmon0/fan2', label: 'Case fan', maxRpm: 1500, pwm: AUTO_PWM, mode: 'auto' },
  ];
  private readonly sensors: SimSensor[] = [
    { id: 'hwmon0/temp1', label: 'CPU', celsius: 35, isFailed: false },
    { id: 'hwmon0/temp2', label: 'System', celsius: 30, isFailed: false },
  ];
  private load = 0.1;
  private lastUpdateMs: number;

  constructor(options: SimulatedFanDriverOptions) {
    this.clock = options.clock;
    this.lastUpdateMs = options.clock.now();
    for (const s of this.sensors) s.celsius = this.equilibrium(s);
  }

  listFans(): Promise<Fan[]> {
    return settle(() => {
      this.advance();
      return this.fans.map((f) => ({
        id: f.id,
        chip: 'baluhost-sim',
        label: f.label,
        rpm: Math.round((f.maxRpm * f.pwm) / PWM_MAX),
        pwm: f.pwm,
        pwmPercent: Math.round((f.pwm * 1000) / PWM_MAX) / 10,
        mode: f.mode,
        isControllable: true,
      }));
    });
  }

  listSensors(): Promise<TemperatureSensor[]> {
    return settle(() => {
      this.advance();
      return this.sensors.map((s) => ({
        id: s.id,
        chip: 'baluhost-sim',
        label: s.label,
        celsius: s.isFailed ? null : Math.round(s.celsius * 10) / 10,
      }));
    });
  }

  readSensor(sensorId: string): Promise<number> {
    return settle(() => {
      this.advance();
      const sensor = this.sensors.find((s) => s.id === sensorId);
      if (sensor === undefined) throw new DriverNotFoundError(`sensor ${sensorId} does not exist`);
      if (sensor.isFailed)
        throw new DriverFailedError(`sensor ${sensorId} does not answer (simulated fault)`);
      return Math.round(sensor.celsius * 10) / 10;
    });
  }

  setMode(fanId: string, mode: 'manual' | 'auto'): Promise<void> {
    return settle(() => {
      this.advance();
      const fan = this.fan(fanId);
      fan.mode = mode;
      if (mode === 'auto') fan.pwm = AUTO_PWM;
    });
  }

  setPwm(fanId: string, pwm: number): Promise<void> {
    return settle(() => {
      if (!Number.isInteger(pwm) || pwm < 0 || pwm > PWM_MAX) {
        throw new DriverValidationError(`PWM duty must be an integer 0-${PWM_MAX}, got ${pwm}`);
      }
      this.advance();
      const fan = this.fan(fanId);
      fan.mode = 'manual';
      fan.pwm = pwm;
    });
  }

  /** Load hook: system load 0-100 %, which heats both sensors. */
  setLoad(loadPercent: number): void {
    if (!(loadPercent >= 0 && loadPercent <= 100)) throw new DriverValidationError('load must be 0-100 %');
    this.advance();
    this.load = loadPercent / 100;
  }

  /** Fault hook: makes a sensor fail to read (or read again). */
  setSensorFailure(sensorId: string, isFailed: boolean): void {
    const sensor = this.sensors.find((s) => s.id === sensorId);
    if (sensor === undefined) throw new DriverNotFoundError(`sensor ${sensorId} does not exist`);
    sensor.isFailed = isFailed;
  }

  private fan(fanId: string): SimFan {
    const fan = this.fans.find((f) => f.id === fanId);
    if (fan === undefined) throw new DriverNotFoundError(`fan ${fanId} does not exist`);
    return fan;
  }

  /** Where a sensor would settle with the current load and airflow. */
  private equilibrium(sensor: SimSensor): number {
    const cpuAirflow = (this.fans[0]?.pwm ?? PWM_MAX) / PWM_MAX;
    const caseAirflow = (this.fans[1]?.pwm ?? PWM_MAX) / PWM_MAX;
    if (sensor.id === 'hwmon0/temp1') {
      return AMBIENT_CELSIUS + (10 + 55 * this.load) * (1 - 0.5 * cpuAirflow - 0.1 * caseAirflow);
    }
    return AMBIENT_CELSIUS + (8 + 15 * this.load) * (1 - 0.5 * caseAirflow);
  }

  /** Moves every temperature along its exponential towards equilibrium, up to now. */
  private advance(): void {
    const now = this.clock.now();
    const dt = Math.max(0, now - this.lastUpdateMs);
    this.lastUpdateMs = now;
    if (dt === 0) return;
    const decay = Math.exp(-dt / TAU_MS);
    for (const s of this.sensors) {
      const target = this.equilibrium(s);
      s.celsius = target + (s.celsius - target) * decay;
    }
  }
}

/** Runs `fn` and settles a promise with its result, so that a synchronous throw becomes a rejection. */
function settle<T>(fn: () => T): Promise<T> {
  return new Promise<T>((resolve) => {
    resolve(fn());
  });
}
