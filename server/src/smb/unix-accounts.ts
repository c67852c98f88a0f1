import { existsSync } from 'node:fs';
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderNssFiles, type CommandRunner, type UnixAccount } from '@baluhost/protocols';

/** The Unix group every SMB account belongs to (files in shares are group-readable through it). */
export const SMB_GROUP_NAME = 'baluhost-smb';

/**
 * The Unix accounts Samba needs, one per SMB user (Samba maps every account to a Unix uid and acts as it on
 * disk). Two backends: system accounts (useradd, production) and nss_wrapper files (tests, containers).
 */
export interface UnixAccounts {
  /** Makes exactly these accounts exist (among the ones BaluHost manages), in one group of gid `gid`. */
  sync(accounts: readonly UnixAccount[]): Promise<void>;
  /** Environment variables smbd and the Samba tools need (nss_wrapper's), empty for system accounts. */
  readonly env: Readonly<Record<string, string>>;
}

async function writeAtomic(file: string, text: string, mode: number): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode });
  await chmod(tmp, mode);
  await rename(tmp, file);
}

/** Debian's libnss-wrapper for this machine's architecture (the first that exists). */
function findNssWrapper(): string {
  const candidates = [
    '/usr/lib/x86_64-linux-gnu/libnss_wrapper.so',
    '/usr/lib/aarch64-linux-gnu/libnss_wrapper.so',
    '/usr/lib/arm-linux-gnueabihf/libnss_wrapper.so',
    '/usr/lib64/libnss_wrapper.so',
    '/usr/lib/libnss_wrapper.so',
  ];
  return candidates.find((c) => existsSync(c)) ?? candidates[0] ?? '';
}

/**
 * Private passwd and group files under `<dataDir>/samba/`, served to smbd and the tools by libnss_wrapper
 * (LD_PRELOAD): nothing on the host changes.
 */
export class NssWrapperAccounts implements UnixAccounts {
  readonly env: Readonly<Record<string, string>>;

  constructor(
    private readonly passwdFile: string,
    private readonly groupFile: string,
    private readonly gid: number,
    library = findNssWrapper(),
  ) {
    this.env = { LD_PRELOAD: library, NSS_WRAPPER_PASSWD: passwdFile, NSS_WRAPPER_GROUP: groupFile };
  }

  async sync(accounts: readonly UnixAccount[]): Promise<void> {
    const files = renderNssFiles(accounts, { name: SMB_GROUP_NAME, gid: this.gid });
    await mkdir(path.dirname(this.passwdFile), { recursive: true });
    await writeAtomic(this.passwdFile, files.passwd, 0o644);
    await writeAtomic(this.groupFile, files.group, 0o644);
  }
}

/**
 * System accounts: `useradd --system --no-create-home --shell /usr/sbin/nologin --uid <uid> --gid <gid>` and a
 * group `baluhost-smb` (gid = BALUHOST_SMB_UID_MIN). Only accounts in that group with a uid above its gid are
 * BaluHost's: others are never changed or removed. A name or uid already taken by another account is refused.
 */
export class SystemAccounts implements UnixAccounts {
  readonly env: Readonly<Record<string, string>> = {};

  constructor(
    private readonly run: CommandRunner,
    private readonly gid: number,
  ) {}

  private async getent(db: 'passwd' | 'group', key: string): Promise<string[] | null> {
    try {
      const { stdout } = await this.run('getent', [db, key]);
      return stdout.trim().split(':');
    } catch {
      return null;
    }
  }

  async sync(accounts: readonly UnixAccount[]): Promise<void> {
    const group = await this.getent('group', SMB_GROUP_NAME);
    if (!group) await this.run('groupadd', ['--system', '--gid', String(this.gid), SMB_GROUP_NAME]);
    else if (group[2] !== String(this.gid))
      throw new Error(`The group ${SMB_GROUP_NAME} exists with gid ${group[2] ?? '?'}, not ${this.gid}.`);
    const wanted = new Map(accounts.map((a) => [a.name, a.uid]));
    for (const [name, uid] of wanted) {
      const byName = await this.getent('passwd', name);
      if (byName) {
        if (byName[2] !== String(uid) || byName[3] !== String(this.gid))
          throw new Error(`The Unix account ${name} exists and is not BaluHost's (uid ${byName[2] ?? '?'}).`);
        continue;
      }
      if (await this.getent('passwd', String(uid)))
        throw new Error(`The uid ${uid} for ${name} is taken by another Unix account.`);
      await this.run('useradd', [
        '--system',
        '--no-create-home',
        '--home-dir',
        '/nonexistent',
        '--shell',
        '/usr/sbin/nologin',
        '--uid',
        String(uid),
        '--gid',
        String(this.gid),
        '--comment',
        'BaluHost user',
        name,
      ]);
    }
    const { stdout } = await this.run('getent', ['passwd']);
    for (const line of stdout.split('\n')) {
      const [name, , uid, gid] = line.split(':');
      if (!name || gid !== String(this.gid) || Number(uid) <= this.gid || wanted.has(name)) continue;
      await this.run('userdel', [name]);
    }
  }
}
