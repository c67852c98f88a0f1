import { DriverFailedError } from '../errors.js';

/**
 * What a Tapo P110 answers to `get_energy_usage` (inside `{error_code: 0, result}`): `current_power` in
 * milliwatts, `today_energy` and `month_energy` in watt-hours, runtimes in minutes.
 * @throws DriverFailedError when the fields are missing or not numbers.
 */
export function parseTapoEnergyUsage(result: unknown): {
  powerWatts: number;
  todayEnergyWh: number;
  monthEnergyWh: number;
} {
  const r = asObject(result, 'get_energy_usage');
  return {
    powerWatts: numberField(r, 'current_power', 'get_energy_usage') / 1000,
    todayEnergyWh: numberField(r, 'today_energy', 'get_energy_usage'),
    monthEnergyWh: numberField(r, 'month_energy', 'get_energy_usage'),
  };
}

/**
 * What a Tapo plug answers to `get_device_info`: `model`, `nickname` (base64 of UTF-8), `device_on`.
 * @throws DriverFailedError when it is not an object.
 */
export function parseTapoDeviceInfo(result: unknown): {
  name: string | null;
  model: string | null;
  isOn: boolean | null;
} {
  const r = asObject(result, 'get_device_info');
  const nickname =
    typeof r['nickname'] === 'string' ? Buffer.from(r['nickname'], 'base64').toString('utf8') : null;
  return {
    name: nickname === null || nickname === '' ? null : nickname,
    model: typeof r['model'] === 'string' ? r['model'] : null,
    isOn: typeof r['device_on'] === 'boolean' ? r['device_on'] : null,
  };
}

/**
 * Unwraps a Tapo answer `{error_code, result}`.
 * @throws DriverFailedError for a non-zero error_code (-1501: wrong credentials; -1012: session expired).
 */
export function unwrapTapoResponse(body: unknown, method: string): unknown {
  const r = asObject(body, method);
  const code = r['error_code'];
  if (code !== 0) {
    throw new DriverFailedError(`The plug refused ${method} (error_code ${String(code)}).`, {
      details: { method, errorCode: typeof code === 'number' ? code : null },
    });
  }
  return r['result'];
}

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DriverFailedError(`The plug's answer to ${what} is not an object.`);
  }
  return value as Record<string, unknown>;
}

function numberField(r: Record<string, unknown>, key: string, what: string): number {
  const v = r[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new DriverFailedError(`The plug's answer to ${what} has no number ${key}.`);
  }
  return v;
}
