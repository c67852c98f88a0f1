import { SmartctlSmartDriver } from '../../src/smart/smartctl-smart-driver.js';
import { FakeCommandRunner } from '../helpers/fake-command-runner.js';
import { readFixture } from '../helpers/fixtures.js';

/**
 * A smartctl stub answering from captures: a 7-disk scan, /dev/sdb = the healthy WD (self-test in
 * progress in its capture), /dev/sdc = the failing Hitachi (exit status 216 as captured),
 * /dev/nvme0 = the Intel 660p. Other answers are minimal hand-made stubs of smartctl's envelopes.
 */
export function makeSmartctlWorld(): { driver: SmartctlSmartDriver; runner: FakeCommandRunner } {
  const runner = new FakeCommandRunner()
    .on('smartctl', ['--json', '--scan-open'], { stdout: readFixture('smartctl-scan-scsi.json') })
    .on('smartctl', ['--json', '-x', '/dev/sdb'], { stdout: readFixture('smartctl-sata-hdd-healthy.json') })
    .on('smartctl', ['--json', '-x', '/dev/sdc'], {
      stdout: readFixture('smartctl-sata-hdd-failing.json'),
      exitCode: 216,
    })
    .on('smartctl', ['--json', '-x', '/dev/nvme0'], { stdout: readFixture('smartctl-nvme-healthy.json') })
    .on('smartctl', ['--json', '-c', '-l', 'selftest', '/dev/sdb'], {
      stdout: readFixture('smartctl-sata-hdd-healthy.json'),
    })
    .on('smartctl', ['--json', '-t'], { stdout: '{"smartctl": {"version": [7, 3], "exit_status": 0}}' });
  return { driver: new SmartctlSmartDriver({ runner, timeoutMs: 7000 }), runner };
}
