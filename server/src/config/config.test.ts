import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, redactConfig } from './config.js';

describe('config', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({}, '/srv');
    assert.equal(config.dataDir, '/srv/data');
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 8080);
    assert.equal(config.logLevel, 'info');
    assert.equal(config.accessTokenTtlSeconds, 900);
    assert.equal(config.databaseUrl, undefined);
    assert.deepEqual(config.corsOrigins, []);
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.corsOrigins));
  });

  it('reports every problem at once, in plain words', () => {
    assert.throws(
      () =>
        loadConfig({
          PORT: 'eighty',
          BALUHOST_LOG_LEVEL: 'loud',
          BALUHOST_DATA_DRI: '/x',
          BALUHOST_JWT_SECRET: 'short',
          DATABASE_URL: 'mysql://x',
        }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.problems.length, 5);
        assert.match(err.message, /PORT: must be a whole number \(got 'eighty'\)/);
        assert.match(
          err.message,
          /BALUHOST_LOG_LEVEL: must be one of trace, debug, info, warn, error, fatal \(got 'loud'\)/,
        );
        assert.match(err.message, /BALUHOST_DATA_DRI: unknown variable/);
        assert.match(err.message, /BALUHOST_JWT_SECRET: must be at least 32 characters$/m);
        assert.doesNotMatch(err.message, /short/);
        assert.match(err.message, /DATABASE_URL: must be a postgres/);
        return true;
      },
    );
  });

  it('validates without coercing', () => {
    assert.throws(() => loadConfig({ PORT: '80.5' }), /PORT: must be a whole number/);
    assert.throws(() => loadConfig({ PORT: '70000' }), /PORT: must be at most 65535/);
    assert.throws(() => loadConfig({ BALUHOST_TRUST_PROXY: 'yes' }), /must be true or false/);
    assert.throws(() => loadConfig({ BALUHOST_CORS_ORIGINS: 'evil.example' }), /each origin must look like/);
    assert.deepEqual(
      loadConfig({ BALUHOST_CORS_ORIGINS: 'https://a.example, http://b.example:8443' }).corsOrigins,
      ['https://a.example', 'http://b.example:8443'],
    );
  });

  it('flushes replacements by default, and takes true and false for always and never', () => {
    assert.equal(loadConfig({}).fsync, 'replace');
    for (const [value, policy] of [
      ['replace', 'replace'],
      ['always', 'always'],
      ['never', 'never'],
      ['true', 'always'],
      ['1', 'always'],
      ['false', 'never'],
      ['0', 'never'],
    ] as const) {
      assert.equal(loadConfig({ BALUHOST_FSYNC: value }).fsync, policy, value);
    }
    assert.throws(
      () => loadConfig({ BALUHOST_FSYNC: 'sometimes' }),
      /BALUHOST_FSYNC: must be replace, always or never \(true and false mean always and never\)/,
    );
  });

  it('reads secrets from <NAME>_FILE, and refuses both forms at once', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
    const file = path.join(dir, 'pw');
    writeFileSync(file, 'from-a-file-123\n');
    assert.equal(loadConfig({ BALUHOST_ADMIN_PASSWORD_FILE: file }).adminPassword, 'from-a-file-123');
    assert.throws(
      () => loadConfig({ BALUHOST_ADMIN_PASSWORD_FILE: file, BALUHOST_ADMIN_PASSWORD: 'x' }),
      /set only one of them/,
    );
    assert.throws(
      () => loadConfig({ BALUHOST_ADMIN_PASSWORD_FILE: path.join(dir, 'missing') }),
      /cannot read .* \(ENOENT\)/,
    );
    assert.throws(() => loadConfig({ BALUHOST_HOST_FILE: file }), /BALUHOST_HOST_FILE: unknown variable/);
  });

  it('redacts secrets and the database password for the log', () => {
    const config = loadConfig({
      BALUHOST_ADMIN_PASSWORD: 'hunter2hunter2',
      BALUHOST_JWT_SECRET: 'x'.repeat(40),
      DATABASE_URL: 'postgres://baluhost:s3cret@db:5432/baluhost',
    });
    const shown = JSON.stringify(redactConfig(config));
    assert.doesNotMatch(shown, /hunter2|xxxxxxxx|s3cret/);
    assert.match(shown, /postgres:\/\/baluhost:\[redacted\]@db:5432\/baluhost/);
    assert.match(shown, /"adminPassword":"\[redacted\]"/);
  });

  it('keeps SMB off by default on a high loopback port, and parses the interface list', () => {
    const defaults = loadConfig({});
    assert.equal(defaults.smbEnabled, false);
    assert.equal(defaults.smbPort, 4445);
    assert.deepEqual(defaults.smbInterfaces, ['lo']);
    assert.equal(defaults.smbUidMin, 60000);
    assert.equal(defaults.smbNssWrapper, false);
    const on = loadConfig({
      BALUHOST_SMB_ENABLED: 'true',
      BALUHOST_SMB_PORT: '445',
      BALUHOST_SMB_INTERFACES: 'lo, eth0 192.168.1.10/24',
    });
    assert.equal(on.smbEnabled, true);
    assert.equal(on.smbPort, 445);
    assert.deepEqual(on.smbInterfaces, ['lo', 'eth0', '192.168.1.10/24']);
    assert.throws(
      () =>
        loadConfig({ BALUHOST_SMB_PORT: '0', BALUHOST_SMB_INTERFACES: 'lo;rm', BALUHOST_SMB_UID_MIN: '5' }),
      (err: unknown) => err instanceof ConfigError && err.problems.length === 3,
    );
  });

  it('simulates every hardware family by default, and takes a mode per family with __', () => {
    const defaults = loadConfig({});
    assert.equal(defaults.hardwareMode, 'simulated');
    assert.equal(defaults.hardwareRaidMode, undefined);
    const mixed = loadConfig({ BALUHOST_HARDWARE: 'real', BALUHOST_HARDWARE__RAID: 'simulated' });
    assert.equal(mixed.hardwareMode, 'real');
    assert.equal(mixed.hardwareRaidMode, 'simulated');
    assert.equal(mixed.hardwareFansMode, undefined);
    assert.throws(
      () =>
        loadConfig({
          BALUHOST_HARDWARE: 'virtual',
          BALUHOST_HARDWARE__SMART: 'REAL',
          BALUHOST_HARDWARE__DISKS: 'real',
        }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.problems.length, 3);
        assert.match(err.message, /BALUHOST_HARDWARE: must be simulated or real \(got 'virtual'\)/);
        assert.match(err.message, /BALUHOST_HARDWARE__SMART: must be simulated or real \(got 'REAL'\)/);
        assert.match(err.message, /BALUHOST_HARDWARE__DISKS: unknown variable/);
        return true;
      },
    );
  });
});
