import { join } from 'node:path';

import { DriverFailedError, DriverNotFoundError, DriverValidationError } from '../errors.js';
import { listDirOrEmpty, readIntegerOrNull, readTextOrNull, writeAttribute } from '../sysfs-file.js';
import type { Fan, FanDriver, TemperatureSensor } from './fan-driver.js';
import { PWM_MAX } from './fan-driver.js';
import { fanModeFromEnable, parseHwmonAttributes } from './parse-hwmon-attributes.js';

/** Options of {@link HwmonFanDriver}. */
export interface HwmonFanDriverOptions {
  /** Default `/sys`. */
  readonly sysfsRoot?: string;
}

interface Chip {
  /** `hwmonN`. */
  readonly hwmon: string;
  readonly name: string;
  /** Where the attributes are: the hwmon directory, or its `device/` for old drivers such as applesmc. */
  readonly dir: string;
  readonly files: readonly string[];
}

const ID = /^(hwmon\d+)\/(fan|temp)(\d+)$/;

/**
 * Real fan backend on hwmon sysfs (`<sysfs>/class/hwmon/hwmon*`): reads fanN_input, pwmN,
 * pwmN_enable and tempN_input; writes pwmN_enable and pwmN (root). It remembers each output's
 * automatic mode before switching it to manual, to restore it later.
 */
export class HwmonFanDriver implements FanDriver {
  private readonly classRoot: string;
  private readonly savedEnable = new Map<string, number>();

  constructor(options: HwmonFanDriverOptions = {}) {
    this.classRoot = join(options.sysfsRoot ?? '/sys', 'class', 'hwmon');
  }

  async listFans(): Promise<Fan[]> {
    const fans: Fan[] = [];
    for (const chip of await this.chips()) {
      for (const n of parseHwmonAttributes(chip.files).fans) fans.push(await this.readFan(chip, n));
    }
    return fans;
  }

  async listSensors(): Promise<TemperatureSensor[]> {
    const sensors: TemperatureSensor[] = [];
    for (const chip of await this.chips()) {
      for (const n of parseHwmonAttributes(chip.files).temps) {
        const milli = await readIntegerOrNull(join(chip.dir, `temp${n}_input`)).catch(() => null);
        sensors.push({
          id: `${chip.hwmon}/temp${n}`,
          chip: chip.name,
          label: (await readTextOrNull(join(chip.dir, `temp${n}_label`))) ?? `${chip.name} temp${n}`,
          celsius: milli === null ? null : milli / 1000,
        });
      }
    }
    return sensors;
  }

  async readSensor(sensorId: string): Promise<number> {
    const { chip, n } = await this.locate(sensorId, 'temp');
    const text = await readTextOrNull(join(chip.dir, `temp${n}_input`));
    if (text === null) throw new DriverNotFoundError(`sensor ${sensorId} does not exist`);
    if (!/^-?\d+$/.test(text))
      throw new DriverFailedError(`sensor ${sensorId} reads "${text}", not millidegrees`);
    // hwmon reports millidegrees Celsius.
    return Number(text) / 1000;
  }

  async setMode(fanId: string, mode: 'manual' | 'auto'): Promise<void> {
    const { chip, n } = await this.locatePwm(fanId);
    const enablePath = join(chip.dir, `pwm${n}_enable`);
    const current = await readIntegerOrNull(enablePath);
    if (current === null) {
      // Without pwmN_enable the output is always manual: nothing to switch.
      if (mode === 'auto') throw new DriverValidationError(`${fanId} has no automatic mode`);
      return;
    }
    if (mode === 'manual') {
      if (current !== 1) {
        if (current >= 2) this.savedEnable.set(fanId, current);
        await writeAttribute(enablePath, '1');
      }
      return;
    }
    await writeAttribute(enablePath, String(this.savedEnable.get(fanId) ?? 2));
  }

  async setPwm(fanId: string, pwm: number): Promise<void> {
    if (!Number.isInteger(pwm) || pwm < 0 || pwm > PWM_MAX) {
      throw new DriverValidationError(`PWM duty must be an integer 0-${PWM_MAX}, got ${pwm}`, {
        details: { fanId, pwm },
      });
    }
    const { chip, n } = await this.locatePwm(fanId);
    await this.setMode(fanId, 'manual');
    await writeAttribute(join(chip.dir, `pwm${n}`), String(pwm));
  }

  private async chips(): Promise<Chip[]> {
    const chips: Chip[] = [];
    const entries = (await listDirOrEmpty(this.classRoot)).filter((e) => /^hwmon\d+$/.test(e));
    entries.sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
    for (const hwmon of entries) {
      const base = join(this.classRoot, hwmon);
      let dir = base;
      let name = await readTextOrNull(join(base, 'name'));
      if (name === null) {
        const deviceName = await readTextOrNull(join(base, 'device', 'name'));
        if (deviceName !== null) {
          dir = join(base, 'device');
          name = deviceName;
        }
      }
      chips.push({ hwmon, name: name ?? hwmon, dir, files: await listDirOrEmpty(dir) });
    }
    return chips;
  }

  private async readFan(chip: Chip, n: number): Promise<Fan> {
    const hasPwm = chip.files.includes(`pwm${n}`);
    const pwm = hasPwm ? await readIntegerOrNull(join(chip.dir, `pwm${n}`)) : null;
    const enable = await readIntegerOrNull(join(chip.dir, `pwm${n}_enable`));
    return {
      id: `${chip.hwmon}/fan${n}`,
      chip: chip.name,
      label: (await readTextOrNull(join(chip.dir, `fan${n}_label`))) ?? `${chip.name} fan${n}`,
      rpm: await readIntegerOrNull(join(chip.dir, `fan${n}_input`)),
      pwm,
      pwmPercent: pwm === null ? null : Math.round((pwm * 1000) / PWM_MAX) / 10,
      mode: hasPwm ? (enable === null ? 'manual' : fanModeFromEnable(enable)) : 'unknown',
      isControllable: hasPwm,
    };
  }

  private async locate(id: string, kind: 'fan' | 'temp'): Promise<{ chip: Chip; n: number }> {
    const m = ID.exec(id);
    if (m?.[1] === undefined || m[3] === undefined || m[2] !== kind) {
      throw new DriverValidationError(`"${id}" is not a ${kind} id like hwmon0/${kind}1`, {
        details: { id },
      });
    }
    const chip = (await this.chips()).find((c) => c.hwmon === m[1]);
    if (chip === undefined) throw new DriverNotFoundError(`${id} does not exist`);
    return { chip, n: Number(m[3]) };
  }

  private async locatePwm(fanId: string): Promise<{ chip: Chip; n: number }> {
    const found = await this.locate(fanId, 'fan');
    if (!found.chip.files.includes(`fan${found.n}_input`) && !found.chip.files.includes(`pwm${found.n}`)) {
      throw new DriverNotFoundError(`${fanId} does not exist`);
    }
    if (!found.chip.files.includes(`pwm${found.n}`)) {
      throw new DriverValidationError(`${fanId} has no PWM output to control`);
    }
    return found;
  }
}
