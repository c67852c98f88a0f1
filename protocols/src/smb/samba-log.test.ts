import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  addressFromTsocket,
  createFileArgs,
  parseSambaLogLine,
  pathsIn,
  type FullAuditRecord,
} from './samba-log.js';
import { parseSmbstatusJson } from './smbstatus.js';
import { parsePdbeditSmbpasswd } from './samba-tools.js';

// Captured from smbd 4.17.12-Debian with the rendered config: smbclient put, mkdir, rename, rm, rmdir as alice,
// then a wrong password for alice and a login as an unknown user.
const LOG = readFileSync(new URL('fixtures/smbd-4.17-audit.log', import.meta.url), 'utf8').split('\n');

describe('Samba log parsing', () => {
  const records = LOG.map(parseSambaLogLine).filter((r) => r !== null);
  const vfs = records.filter((r): r is FullAuditRecord => r.kind === 'vfs');

  it('reads full_audit records: user, address, share, operation, result, arguments', () => {
    const put = vfs.find((r) => r.op === 'pwrite_send');
    assert.deepEqual(put, {
      kind: 'vfs',
      at: put?.at,
      pid: put?.pid,
      user: 'alice',
      address: '127.0.0.1',
      share: 'home',
      op: 'pwrite_send',
      ok: true,
      failure: null,
      args: '/tmp/smbexp/storage/homes/alice/x.txt',
    });
    assert.ok(put.pid > 0);
    assert.deepEqual([...new Set(vfs.map((r) => r.op))].sort(), [
      'close',
      'connect',
      'create_file',
      'disconnect',
      'mkdirat',
      'pwrite_send',
      'renameat',
      'unlinkat',
    ]);
  });

  it('splits a rename into its two paths by the storage root', () => {
    const rename = vfs.find((r) => r.op === 'renameat');
    assert.deepEqual(pathsIn(rename?.args ?? '', '/tmp/smbexp/storage/'), [
      '/tmp/smbexp/storage/homes/alice/x.txt',
      '/tmp/smbexp/storage/homes/alice/d/z.txt',
    ]);
    assert.deepEqual(pathsIn('/r/a|b|/r/c', '/r/'), ['/r/a|b', '/r/c']);
    assert.deepEqual(pathsIn('IPC$', '/r/'), []);
  });

  it('reads create_file arguments', () => {
    const create = vfs.find((r) => r.op === 'create_file' && r.args.includes('overwrite_if'));
    assert.deepEqual(createFileArgs(create?.args ?? ''), {
      accessMask: 0x12019f,
      isDirectory: false,
      disposition: 'overwrite_if',
      path: '/tmp/smbexp/storage/homes/alice/x.txt',
    });
  });

  it('reads JSON authentication records, failed and successful', () => {
    const auth = records.filter((r) => r.kind === 'auth');
    assert.deepEqual(
      auth.map((a) => [a.account, a.status, a.ok, a.address]),
      [
        ['alice', 'NT_STATUS_OK', true, '127.0.0.1'],
        ['alice', 'NT_STATUS_WRONG_PASSWORD', false, '127.0.0.1'],
        ['mallory', 'NT_STATUS_NO_SUCH_USER', false, '127.0.0.1'],
      ],
    );
  });

  it('ignores other lines and survives garbage', () => {
    assert.equal(parseSambaLogLine('  Copyright Andrew Tridgell and the Samba Team 1992-2022'), null);
    assert.equal(
      parseSambaLogLine('2026-11-28T01:30:06.750301+00:00 vm smbd[1]:   smbd version 4.17 started.'),
      null,
    );
    assert.equal(parseSambaLogLine('  {"type": "Authentication", "Authentication": '), null);
    assert.equal(parseSambaLogLine(''), null);
  });

  it('reads addresses in Samba tsocket form', () => {
    assert.equal(addressFromTsocket('ipv4:192.0.2.7:50123'), '192.0.2.7');
    assert.equal(addressFromTsocket('ipv6:[::1]:445'), '::1');
    assert.equal(addressFromTsocket('ipv6:fe80::1:445'), 'fe80::1');
    assert.equal(addressFromTsocket(null), null);
  });
});

describe('smbstatus --json and pdbedit parsing', () => {
  it('reads sessions with their shares from a real 4.17 capture', () => {
    const status = parseSmbstatusJson(
      readFileSync(new URL('fixtures/smbstatus-4.17-session.json', import.meta.url), 'utf8'),
    );
    assert.equal(status.version, '4.17.12-Debian');
    assert.equal(status.sessions.length, 1);
    assert.deepEqual(
      { ...status.sessions[0], sessionId: '', pid: 0 },
      {
        sessionId: '',
        pid: 0,
        username: 'alice',
        uid: 60001,
        address: '127.0.0.1',
        dialect: 'SMB3_11',
        encrypted: false,
        signed: true,
        shares: ['home'],
      },
    );
    assert.deepEqual(status.openFiles, []);
  });

  it('reads open files (hand-written in the 4.17 shape) and tolerates missing parts', () => {
    const status = parseSmbstatusJson(
      JSON.stringify({
        version: '4.17.12',
        sessions: {},
        open_files: {
          '/data/storage/homes/alice/a.txt': {
            service_path: '/data/storage/homes/alice',
            filename: 'a.txt',
            opens: { '1': { server_id: { pid: '42' }, uid: 60001, opened_at: '2026-01-01T00:00:00Z' } },
          },
          '/weird': 'nonsense',
        },
      }),
    );
    assert.deepEqual(status.openFiles, [
      { path: '/data/storage/homes/alice/a.txt', pid: 42, uid: 60001, openedAt: '2026-01-01T00:00:00Z' },
    ]);
    assert.deepEqual(parseSmbstatusJson('{}'), { version: null, sessions: [], openFiles: [] });
  });

  it('reads pdbedit -L -w with the disabled flag', () => {
    assert.deepEqual(
      parsePdbeditSmbpasswd(
        [
          'bob:60002:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:599700345325D825301FA47476B239C1:[DU         ]:LCT-6B0A2E9E:',
          'alice:60001:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:0E5D84F41F4D041810BEED1E33FCED9A:[U          ]:LCT-6B0A2E9E:',
          '',
        ].join('\n'),
      ),
      [
        { name: 'alice', uid: 60001, isDisabled: false },
        { name: 'bob', uid: 60002, isDisabled: true },
      ],
    );
  });
});
