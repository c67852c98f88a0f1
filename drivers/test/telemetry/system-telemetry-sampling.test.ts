// Its own file, so its own process (node --test runs each file in one): nothing else here loads
// systeminformation or starts a child process.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';

import { ManualClock } from '../../src/clock.js';
import { SystemTelemetryDriver } from '../../src/telemetry/system-telemetry-driver.js';

/** Whether systeminformation (CommonJS, so in the require cache even when imported from ESM) is loaded. */
function isSystemInformationLoaded(): boolean {
  return Object.keys(createRequire(import.meta.url).cache).some((path) =>
    path.includes('/node_modules/systeminformation/'),
  );
}

/**
 * Minor page faults of this process's reaped children (cminflt, field 11 of /proc/self/stat). Every
 * child process that runs and is waited for adds hundreds; nothing else changes it.
 */
async function childrenMinorFaults(): Promise<number> {
  const stat = await readFile('/proc/self/stat', 'utf8');
  // The fields after the command name, which is in parentheses and may hold spaces: state is field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11 - 3]);
}

describe('SystemTelemetryDriver sampling', () => {
  it('starts no child process and does not load systeminformation; the process list does both', async () => {
    const driver = new SystemTelemetryDriver({ clock: new ManualClock() });
    assert.equal(isSystemInformationLoaded(), false);
    const before = await childrenMinorFaults();

    for (let i = 0; i < 2; i += 1) {
      await Promise.all([
        driver.getCpuLoad(),
        driver.getMemory(),
        driver.getNetwork(),
        driver.getDiskIo(),
        driver.getFileSystems(),
        driver.getUptimeSeconds(),
      ]);
    }

    assert.equal(await childrenMinorFaults(), before, 'a child process ran while sampling');
    assert.equal(isSystemInformationLoaded(), false, 'sampling loaded systeminformation');

    // The checks can fail: the on-demand process list loads systeminformation, which runs `ps`.
    await driver.getTopProcesses(1);
    assert.equal(isSystemInformationLoaded(), true);
    assert.ok((await childrenMinorFaults()) > before);
  });
});
