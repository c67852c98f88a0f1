import { z } from 'zod';
import type { HardwareService } from '../../hardware/index.js';
import { defineJob } from '../job.js';

/** Reads every drive's S.M.A.R.T. health; the summary names the failing, unreadable and hottest drives. */
export function smartScanJob(hardware: HardwareService) {
  return defineJob({
    name: 'smart_scan',
    description: "Reads every disk's S.M.A.R.T. health and temperature.",
    defaultSchedule: 'every 1 hour',
    options: z.object({}).strict(),
    async run({ signal }) {
      const { devices } = await hardware.smartDevices();
      signal.throwIfAborted();
      const temperatures = devices.map((d) => d.temperatureCelsius).filter((c): c is number => c !== null);
      return {
        devices: devices.length,
        healthy: devices.filter((d) => d.health === 'PASSED').map((d) => d.device),
        failing: devices.filter((d) => d.health === 'FAILED').map((d) => d.device),
        unreadable: devices.filter((d) => d.error !== null).map((d) => d.device),
        hottestCelsius: temperatures.length === 0 ? null : Math.max(...temperatures),
      };
    },
  });
}
