import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { SmartctlSmartDriver } from '../../src/smart/smartctl-smart-driver.js';
import { rejectsWithCode } from '../helpers/confirm.js';
import { FakeCommandRunner } from '../helpers/fake-command-runner.js';
import { readFixture } from '../helpers/fixtures.js';
import { makeSmartctlWorld } from './smartctl-world.js';

describe('SmartctlSmartDriver', () => {
  it('builds smartctl argument vectors with --json and the timeout', async () => {
    const { driver, runner } = makeSmartctlWorld();
    await driver.listDevices();
    await driver.getReport('/dev/nvme0');
    await driver.startSelfTest('/dev/sdb', 'long');
    await driver.getSelfTestStatus('/dev/sdb');
    assert.deepEqual(runner.argsOf('smartctl'), [
      ['--json', '--scan-open'],
      ['--json', '-x', '/dev/nvme0'],
      ['--json', '-t', 'long', '/dev/sdb'],
      ['--json', '-c', '-l', 'selftest', '/dev/sdb'],
    ]);
    assert.ok(runner.calls.every((c) => c.timeoutMs === 7000));
  });

  it('passes -d for drives behind a RAID controller, as the scan named them', async () => {
    const runner = new FakeCommandRunner()
      .on('smartctl', ['--json', '--scan-open'], { stdout: readFixture('smartctl-scan-megaraid.json') })
      .on('smartctl', ['--json', '-x'], { stdout: readFixture('smartctl-sas-healthy-v6.7.json') });
    const driver = new SmartctlSmartDriver({ runner });
    await driver.listDevices();
    await driver.getReport('/dev/bus/0');
    assert.deepEqual(runner.argsOf('smartctl')[1], ['--json', '-x', '-d', 'megaraid,1', '/dev/bus/0']);
  });

  it('keeps the report of a failing disk although smartctl exits with 216', async () => {
    const { driver } = makeSmartctlWorld();
    const r = await driver.getReport('/dev/sdc');
    assert.equal(r.health, 'FAILED');
  });

  it('maps "cannot open device" (exit bit 1) to DRIVER_UNAVAILABLE with smartctl\'s message', async () => {
    const runner = new FakeCommandRunner().on('smartctl', ['--json', '-x', '/dev/sdz'], {
      exitCode: 2,
      // Hand-made stub of smartctl's error envelope: the parser only needs messages[].string.
      stdout:
        '{"smartctl": {"messages": [{"string": "Smartctl open device: /dev/sdz failed: No such device", "severity": "error"}], "exit_status": 2}}',
    });
    const error = await rejectsWithCode(
      new SmartctlSmartDriver({ runner }).getReport('/dev/sdz'),
      'DRIVER_UNAVAILABLE',
    );
    assert.match(error.message, /No such device/);
  });

  it('asks for smartmontools 7 when smartctl prints no JSON', async () => {
    const runner = new FakeCommandRunner().on('smartctl', [], {
      exitCode: 1,
      stdout: 'smartctl 6.6: unknown option --json',
    });
    const error = await rejectsWithCode(new SmartctlSmartDriver({ runner }).listDevices(), 'DRIVER_FAILED');
    assert.match(error.message, /7\.0 or newer/);
  });

  it('reports a refused self-test start', async () => {
    const runner = new FakeCommandRunner().on('smartctl', ['--json', '-t'], {
      exitCode: 4,
      stdout:
        '{"smartctl": {"messages": [{"string": "Can\'t start self-test without aborting current test", "severity": "error"}], "exit_status": 4}}',
    });
    await rejectsWithCode(
      new SmartctlSmartDriver({ runner }).startSelfTest('/dev/sda', 'short'),
      'DRIVER_FAILED',
    );
  });
});
