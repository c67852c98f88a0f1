import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderSmbConf, type SmbConfInput } from './smb-conf.js';
import { formatDfree, renderDfreeScript } from './dfree.js';
import { renderNssFiles } from './nss-files.js';

const INPUT: SmbConfInput = {
  workgroup: 'WORKGROUP',
  serverString: 'BaluHost',
  port: 4445,
  interfaces: ['lo'],
  sambaDir: '/srv/baluhost/samba',
  homesDir: '/srv/baluhost/storage/homes',
  users: [
    { name: 'bob', isAdmin: false, isOverQuota: true },
    { name: 'admin', isAdmin: true, isOverQuota: false },
    { name: 'alice', isAdmin: false, isOverQuota: false },
  ],
  shares: [
    {
      name: 'team',
      comment: 'Team files',
      path: '/srv/baluhost/storage/shares/team',
      readers: ['carol'],
      writers: ['alice', 'bob'],
    },
  ],
};

const EXPECTED = `# Written by BaluHost from its users, groups and shares; edits here are overwritten.
[global]
\tworkgroup = WORKGROUP
\tserver string = BaluHost
\tserver role = standalone server
\tsmb ports = 4445
\tinterfaces = lo
\tbind interfaces only = yes
\tserver min protocol = SMB2
\tpassdb backend = tdbsam:/srv/baluhost/samba/private/passdb.tdb
\tprivate dir = /srv/baluhost/samba/private
\tlock directory = /srv/baluhost/samba/lock
\tstate directory = /srv/baluhost/samba/state
\tcache directory = /srv/baluhost/samba/cache
\tpid directory = /srv/baluhost/samba/pid
\tncalrpc dir = /srv/baluhost/samba/ncalrpc
\tlog file = /srv/baluhost/samba/log/smbd.log
\tmax log size = 10000
\tlog level = 1 auth_json_audit:3
\tdebug syslog format = yes
\tlogging = file
\tsecurity = user
\tmap to guest = never
\trestrict anonymous = 2
\tload printers = no
\tprinting = bsd
\tprintcap name = /dev/null
\tdisable spoolss = yes
\tdisable netbios = yes
\tusershare max shares = 0
\tunix password sync = no
\tobey pam restrictions = no
\twide links = no
\tfollow symlinks = no
\tunix extensions = no
\tmap archive = no
\tmap hidden = no
\tmap system = no
\tstore dos attributes = yes
\tdfree command = /srv/baluhost/samba/dfree.d/%U
\tvfs objects = fruit streams_xattr full_audit
\tfruit:metadata = stream
\tfruit:model = MacSamba
\tfruit:posix_rename = yes
\tfruit:veto_appledouble = no
\tfruit:nfs_aces = no
\tfruit:wipe_intentionally_left_blank_rfork = yes
\tfruit:delete_empty_adfiles = yes
\tfull_audit:success = connect disconnect create_file pwrite_send close renameat unlinkat mkdirat
\tfull_audit:failure = connect
\tfull_audit:prefix = %u|%I|%S
\tfull_audit:syslog = false

[home]
\tcomment = Your home folder
\tpath = /srv/baluhost/storage/homes/%u
\tvalid users = admin alice bob
\tread only = yes
\twrite list = admin alice
\tread list = bob
\tbrowseable = yes
\tcreate mask = 0600
\tforce create mode = 0600
\tdirectory mask = 0700
\tforce directory mode = 0700

[team]
\tcomment = Team files
\tpath = /srv/baluhost/storage/shares/team
\tvalid users = admin alice bob
\tread only = yes
\twrite list = admin alice
\tread list = bob
\tadmin users = admin
\tbrowseable = yes
\tcreate mask = 0640
\tforce create mode = 0640
\tdirectory mask = 3770
\tforce directory mode = 3770
`;

describe('smb.conf rendering', () => {
  it('renders the global section, the home share and one section per share, exactly', () => {
    assert.equal(renderSmbConf(INPUT), EXPECTED);
  });

  it('is deterministic: the order of users and shares in the input does not matter', () => {
    const shuffled: SmbConfInput = {
      ...INPUT,
      users: [...INPUT.users].reverse(),
      shares: [...INPUT.shares, { name: 'aaa', comment: '', path: '/x', readers: [], writers: [] }].reverse(),
    };
    const a = renderSmbConf(shuffled);
    const b = renderSmbConf({ ...shuffled, users: INPUT.users, shares: [...shuffled.shares].reverse() });
    assert.equal(a, b);
    assert.ok(a.indexOf('[aaa]') < a.indexOf('[team]'));
  });

  it('drops ACL entries of users without SMB, and gives admins write on every share', () => {
    const text = renderSmbConf(INPUT);
    assert.doesNotMatch(text, /carol/);
    assert.match(text, /\[team\][^[]*write list = admin alice\n/);
  });

  it('takes an over-quota user out of every write list and into every read list', () => {
    const text = renderSmbConf(INPUT);
    for (const section of ['home', 'team']) {
      const body = new RegExp(`\\[${section}\\]([^[]*)`).exec(text)?.[1] ?? '';
      assert.match(body, /read list = bob\n/);
      assert.doesNotMatch(/write list = (.*)\n/.exec(body)?.[1] ?? '', /bob/);
    }
  });

  it('makes a share nobody may use unavailable instead of open to every account', () => {
    const text = renderSmbConf({
      ...INPUT,
      users: INPUT.users.filter((u) => !u.isAdmin),
      shares: [{ name: 'empty', comment: '', path: '/x', readers: ['carol'], writers: [] }],
    });
    const body = /\[empty\]([^[]*)/.exec(text)?.[1] ?? '';
    assert.match(body, /available = no/);
    assert.doesNotMatch(body, /valid users/);
    const none = renderSmbConf({ ...INPUT, users: [], shares: [] });
    assert.match(/\[home\]([^[]*)/.exec(none)?.[1] ?? '', /available = no/);
  });

  it('does not offer shares whose names Samba reserves', () => {
    const text = renderSmbConf({
      ...INPUT,
      shares: [
        { name: 'global', comment: '', path: '/x', readers: [], writers: ['alice'] },
        { name: 'printers', comment: '', path: '/x', readers: [], writers: ['alice'] },
      ],
    });
    assert.equal(text.match(/^\[global\]/gm)?.length, 1);
    assert.doesNotMatch(text, /\[printers\]/);
  });

  it('refuses values that would break out of a line or a section', () => {
    assert.throws(() => renderSmbConf({ ...INPUT, serverString: 'x\n[evil]' }), /cannot hold/);
    assert.throws(
      () =>
        renderSmbConf({
          ...INPUT,
          shares: [{ name: 'a]b', comment: '', path: '/x', readers: [], writers: [] }],
        }),
      /cannot hold/,
    );
  });

  it('renders a config that testparm accepts without warnings', (t) => {
    const testparm = spawnSync('testparm', ['--version'], { encoding: 'utf8' });
    if (testparm.error) {
      t.skip('testparm is not installed');
      return;
    }
    const dir = mkdtempSync(path.join(os.tmpdir(), 'smbconf-'));
    try {
      for (const sub of ['lock', 'state', 'cache', 'pid', 'private', 'ncalrpc', 'log'])
        mkdirSync(path.join(dir, sub));
      const file = path.join(dir, 'smb.conf');
      writeFileSync(file, renderSmbConf({ ...INPUT, sambaDir: dir }));
      const r = spawnSync('testparm', ['-s', file], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const warnings = r.stderr
        .split('\n')
        .filter((l) => /WARNING|Unknown parameter|Ignoring/i.test(l))
        .filter((l) => !/Weak crypto/.test(l));
      assert.deepEqual(warnings, []);
      assert.match(r.stdout, /\[team\]/);
      assert.match(r.stdout, /full_audit:prefix = %u\|%I\|%S/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('dfree and nss_wrapper files', () => {
  it('prints total and free in 1K blocks, never more free than total', () => {
    assert.equal(formatDfree(10 * 1024 * 1024, 4 * 1024 * 1024 + 1000), '10240 4096\n');
    assert.equal(formatDfree(1024, 5000), '1 1\n');
    assert.equal(formatDfree(1024, -5), '1 0\n');
  });

  it('writes a dfree script that reads the file named after the link it is run through', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dfree-'));
    try {
      const quota = path.join(dir, "quo'ta");
      spawnSync('mkdir', [quota]);
      writeFileSync(path.join(quota, 'alice'), '100 40\n');
      const script = path.join(dir, 'dfree');
      writeFileSync(script, renderDfreeScript(quota), { mode: 0o755 });
      spawnSync('ln', ['-s', script, path.join(dir, 'alice')]);
      spawnSync('ln', ['-s', script, path.join(dir, 'bob')]);
      const alice = spawnSync(path.join(dir, 'alice'), ['.'], { encoding: 'utf8' });
      assert.equal(alice.stdout, '100 40\n');
      const bob = spawnSync(path.join(dir, 'bob'), ['.'], { encoding: 'utf8' });
      assert.notEqual(bob.status, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('renders passwd and group files with nologin accounts in one group', () => {
    const files = renderNssFiles(
      [
        { name: 'bob', uid: 60002 },
        { name: 'alice', uid: 60001 },
      ],
      { name: 'baluhost-smb', gid: 60000 },
    );
    assert.equal(
      files.passwd,
      [
        'root:x:0:0:root:/root:/usr/sbin/nologin',
        'alice:x:60001:60000:BaluHost user:/nonexistent:/usr/sbin/nologin',
        'bob:x:60002:60000:BaluHost user:/nonexistent:/usr/sbin/nologin',
        'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
        '',
      ].join('\n'),
    );
    assert.equal(files.group, 'root:x:0:\nbaluhost-smb:x:60000:alice,bob\nnogroup:x:65534:\n');
  });
});
