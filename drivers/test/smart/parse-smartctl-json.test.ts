import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseSmartctlReport, parseSmartctlScan } from '../../src/smart/parse-smartctl-json.js';
import { readFixture } from '../helpers/fixtures.js';

const report = (name: string, device = '/dev/x') =>
  parseSmartctlReport(JSON.parse(readFixture(name)) as unknown, device);

describe('parseSmartctlReport', () => {
  it('reads a healthy SATA HDD with a self-test in progress (WD140EDFZ, smartctl 7.0 -a)', () => {
    const r = report('smartctl-sata-hdd-healthy.json');
    assert.equal(r.device, '/dev/sdb');
    assert.equal(r.protocol, 'ATA');
    assert.equal(r.model, 'WDC WD140EDFZ-11A0VA0');
    assert.equal(r.serial, '9RK1XXXX');
    assert.equal(r.capacityBytes, 14000519643136);
    assert.equal(r.rotationRpm, 5400);
    assert.equal(r.health, 'PASSED');
    assert.equal(r.temperatureCelsius, 32);
    assert.equal(r.powerOnSeconds, 1730 * 3600);
    assert.equal(r.powerCycles, 9);
    assert.equal(r.attributes.length, 18);
    assert.deepEqual(
      r.attributes.find((a) => a.id === 194),
      {
        id: 194,
        name: 'Temperature_Celsius',
        value: 51,
        worst: 51,
        thresh: 0,
        raw: 163210330144,
        rawString: '32 (Min/Max 24/38)',
        isPrefailure: false,
        isFailingNow: false,
        hasFailedInPast: false,
      },
    );
    assert.equal(r.attributes.find((a) => a.id === 5)?.isPrefailure, true);
    assert.equal(r.selfTest.isRunning, true);
    assert.equal(r.selfTest.remainingPercent, 10);
    assert.deepEqual(r.selfTest.log[0], {
      type: 'Short offline',
      status: 'Completed without error',
      isPassed: true,
      lifetimeSeconds: 1708 * 3600,
    });
    assert.deepEqual(r.warnings, []);
    assert.equal(r.nvme, null);
  });

  it('reads a SATA SSD from -x with an extended self-test log (Samsung 860 EVO)', () => {
    const r = report('smartctl-sata-ssd-healthy.json');
    assert.equal(r.model, 'Samsung SSD 860 EVO 500GB');
    assert.equal(r.rotationRpm, 0);
    assert.equal(r.temperatureCelsius, 36);
    assert.equal(r.powerOnSeconds, 14551 * 3600);
    assert.equal(r.attributes.find((a) => a.name === 'Wear_Leveling_Count')?.raw, 278);
    assert.equal(r.attributes.find((a) => a.id === 241)?.raw, 64777770148);
    assert.equal(r.selfTest.isRunning, false);
    assert.equal(r.selfTest.log[0]?.lifetimeSeconds, 14417 * 3600);
  });

  it('reads a failing disk: health FAILED, reallocated sectors failing now, pending sectors, a failed self-test', () => {
    const r = report('smartctl-sata-hdd-failing.json');
    assert.equal(r.health, 'FAILED');
    assert.equal(r.model, 'Hitachi HDS721050DLE630');
    const realloc = r.attributes.find((a) => a.id === 5);
    assert.equal(realloc?.value, 1);
    assert.equal(realloc.thresh, 5);
    assert.equal(realloc.raw, 1975);
    assert.equal(realloc.isFailingNow, true);
    assert.equal(r.attributes.find((a) => a.id === 197)?.raw, 8);
    assert.equal(r.powerOnSeconds, 65592 * 3600);
    const failedTest = r.selfTest.log.find((e) => e.isPassed === false);
    assert.deepEqual(failedTest, {
      type: 'Extended offline',
      status: 'Completed: read failure',
      isPassed: false,
      lifetimeSeconds: 4 * 3600,
    });
    assert.deepEqual(r.warnings, [
      'the drive reports its overall health as FAILED',
      'Reallocated_Sector_Ct is at or below its threshold (value 1, threshold 5)',
      '1975 reallocated sectors',
      '8 sectors pending reallocation',
    ]);
  });

  it('warns about reallocated sectors on a disk that still passes (ST3500418AS, smartctl 7.3 brief)', () => {
    const r = report('smartctl-sata-hdd-realloc-warning.json');
    assert.equal(r.health, 'PASSED');
    assert.equal(r.serial, 'REDACTED');
    assert.equal(r.attributes.find((a) => a.id === 5)?.raw, 304);
    assert.deepEqual(r.warnings, ['304 reallocated sectors']);
  });

  it('reads a healthy NVMe drive (Intel 660p)', () => {
    const r = report('smartctl-nvme-healthy.json');
    assert.equal(r.protocol, 'NVMe');
    assert.equal(r.model, 'INTEL SSDPEKNW010T8');
    assert.equal(r.capacityBytes, 1024209543168);
    assert.equal(r.rotationRpm, 0);
    assert.equal(r.temperatureCelsius, 36);
    assert.equal(r.powerOnSeconds, 2401 * 3600);
    assert.deepEqual(r.nvme, {
      criticalWarning: 0,
      availableSparePercent: 100,
      availableSpareThresholdPercent: 10,
      percentageUsed: 0,
      mediaErrors: 0,
      errorLogEntries: 0,
      unsafeShutdowns: 43,
      dataReadBytes: 9511859 * 512_000,
      dataWrittenBytes: 7773431 * 512_000,
    });
    assert.deepEqual(r.attributes, []);
    assert.deepEqual(r.warnings, []);
  });

  it('reads a failing NVMe drive with a critical warning, and one with media errors', () => {
    const failing = report('smartctl-nvme-failing.json');
    assert.equal(failing.health, 'FAILED');
    assert.equal(failing.nvme?.criticalWarning, 16);
    assert.equal(failing.capacityBytes, 3200631791616);
    assert.deepEqual(failing.warnings, [
      'the drive reports its overall health as FAILED',
      'NVMe critical warning 0x10',
    ]);
    const media = report('smartctl-nvme-media-errors.json');
    assert.equal(media.health, 'PASSED');
    assert.equal(media.nvme?.mediaErrors, 7);
    assert.deepEqual(media.warnings, ['7 NVMe media errors']);
  });

  it('reads SAS/SCSI identity under both key spellings (smartctl 6.7 vendor/product, 7.4 scsi_*)', () => {
    const old = report('smartctl-sas-healthy-v6.7.json');
    assert.equal(old.protocol, 'SCSI');
    assert.equal(old.model, 'SEAGATE ST1200MM0088');
    assert.equal(old.firmware, 'N004');
    assert.equal(old.rotationRpm, 10500);
    assert.equal(old.temperatureCelsius, 31);
    assert.equal(old.powerOnSeconds, 5675 * 3600 + 39 * 60);
    assert.deepEqual(old.scsi, { grownDefects: 0, uncorrectedReadErrors: 0, uncorrectedWriteErrors: 0 });
    const recent = report('smartctl-scsi-grown-defects-v7.4.json');
    assert.equal(recent.model, 'SEAGATE ST373453LC');
    assert.equal(recent.capacityBytes, 73407820800);
    assert.deepEqual(recent.scsi, {
      grownDefects: 260,
      uncorrectedReadErrors: 1,
      uncorrectedWriteErrors: 535,
    });
    assert.deepEqual(recent.warnings, ['260 grown defects']);
  });

  it('accepts the model from scsi_vendor/scsi_product when scsi_model_name is absent', () => {
    const json = JSON.parse(readFixture('smartctl-scsi-grown-defects-v7.4.json')) as Record<string, unknown>;
    delete json.scsi_model_name;
    assert.equal(parseSmartctlReport(json, '/dev/sdb').model, 'SEAGATE ST373453LC');
  });
});

describe('parseSmartctlScan', () => {
  it('reads SATA-on-libata, NVMe and MegaRAID scans', () => {
    const scsi = parseSmartctlScan(JSON.parse(readFixture('smartctl-scan-scsi.json')) as unknown);
    assert.equal(scsi.length, 7);
    assert.deepEqual(scsi[0], { device: '/dev/sda', type: 'scsi', protocol: 'SCSI' });
    assert.deepEqual(parseSmartctlScan(JSON.parse(readFixture('smartctl-scan-nvme.json')) as unknown), [
      { device: '/dev/nvme0', type: 'nvme', protocol: 'NVMe' },
    ]);
    assert.deepEqual(
      parseSmartctlScan(JSON.parse(readFixture('smartctl-scan-megaraid.json')) as unknown).map((d) => d.type),
      ['megaraid,0', 'megaraid,1'],
    );
  });
});
