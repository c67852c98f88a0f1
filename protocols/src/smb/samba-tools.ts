import { execFile } from 'node:child_process';
import { parseSmbstatusJson, type SmbStatus } from './smbstatus.js';

/** Runs a program with arguments (no shell), optional stdin, and a timeout. */
export type CommandRunner = (
  file: string,
  args: readonly string[],
  options?: { readonly input?: string; readonly timeoutMs?: number },
) => Promise<{ stdout: string; stderr: string }>;

export class SambaCommandError extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(
      `${command} failed${exitCode === null ? '' : ` (exit ${exitCode})`}: ${stderr.trim().slice(0, 500)}`,
    );
    this.name = 'SambaCommandError';
  }
}

/** A CommandRunner on execFile with the given environment. @throws SambaCommandError */
export function execRunner(env: Readonly<Record<string, string>>): CommandRunner {
  return (file, args, options = {}) =>
    new Promise((resolve, reject) => {
      const child = execFile(
        file,
        [...args],
        {
          env: { ...env },
          timeout: options.timeoutMs ?? 15_000,
          maxBuffer: 16 * 1024 * 1024,
          encoding: 'utf8',
        },
        (err, stdout, stderr) => {
          if (err) {
            const code = typeof err.code === 'number' ? err.code : null;
            reject(new SambaCommandError(`${file} ${args[0] ?? ''}`.trim(), code, stderr || err.message));
          } else resolve({ stdout, stderr });
        },
      );
      // A tool that exits before reading its input (it failed early) closes the pipe: its exit status is the
      // error worth reporting, not the EPIPE of the write.
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(options.input ?? '');
    });
}

/** A Samba account as pdbedit lists it. */
export interface SambaAccount {
  readonly name: string;
  readonly uid: number;
  readonly isDisabled: boolean;
}

export interface SambaToolPaths {
  readonly configPath: string;
  readonly smbd?: string;
  readonly smbpasswd?: string;
  readonly pdbedit?: string;
  readonly smbcontrol?: string;
  readonly smbstatus?: string;
  readonly testparm?: string;
}

/**
 * Samba's command-line tools against one private config: accounts in its tdbsam, reload, status, version.
 * Passwords travel on stdin only, never in arguments. Every method throws SambaCommandError when the tool fails.
 */
export class SambaTools {
  private readonly bin: Required<SambaToolPaths>;

  constructor(
    paths: SambaToolPaths,
    private readonly run: CommandRunner,
  ) {
    this.bin = {
      smbd: '/usr/sbin/smbd',
      smbpasswd: 'smbpasswd',
      pdbedit: 'pdbedit',
      smbcontrol: 'smbcontrol',
      smbstatus: 'smbstatus',
      testparm: 'testparm',
      ...paths,
    };
  }

  /** Creates the account or sets its password, and enables it. The Unix account must exist. */
  async setPassword(username: string, password: string): Promise<void> {
    if (/[\r\n]/.test(password))
      throw new Error('A password with a line break cannot be given to smbpasswd.');
    await this.run(this.bin.smbpasswd, ['-c', this.bin.configPath, '-s', '-a', username], {
      input: `${password}\n${password}\n`,
    });
    await this.run(this.bin.smbpasswd, ['-c', this.bin.configPath, '-e', username]);
  }

  async disable(username: string): Promise<void> {
    await this.run(this.bin.smbpasswd, ['-c', this.bin.configPath, '-d', username]);
  }

  async enable(username: string): Promise<void> {
    await this.run(this.bin.smbpasswd, ['-c', this.bin.configPath, '-e', username]);
  }

  async remove(username: string): Promise<void> {
    await this.run(this.bin.pdbedit, ['-s', this.bin.configPath, '-x', '-u', username]);
  }

  /** Every account in the passdb, with its disabled flag (smbpasswd-style listing: `[DU   ]`). */
  async list(): Promise<SambaAccount[]> {
    const { stdout } = await this.run(this.bin.pdbedit, ['-s', this.bin.configPath, '-L', '-w']);
    return parsePdbeditSmbpasswd(stdout);
  }

  /** Tells the running smbd (and its children) to read the config again. */
  async reloadConfig(): Promise<void> {
    await this.run(this.bin.smbcontrol, ['-s', this.bin.configPath, 'smbd', 'reload-config']);
  }

  async status(): Promise<SmbStatus> {
    const { stdout } = await this.run(this.bin.smbstatus, ['-s', this.bin.configPath, '--json']);
    return parseSmbstatusJson(stdout);
  }

  /** `4.17.12-Debian` from `smbd --version`. */
  async version(): Promise<string> {
    const { stdout } = await this.run(this.bin.smbd, ['--version']);
    return stdout.trim().replace(/^Version\s+/, '');
  }

  /** `testparm -s`: the config as Samba understands it, and its warnings. */
  async testparm(): Promise<{ stdout: string; stderr: string }> {
    return this.run(this.bin.testparm, ['-s', this.bin.configPath]);
  }
}

/** Parses `pdbedit -L -w`: `name:uid:LMHASH:NTHASH:[flags]:LCT-…:`. */
export function parsePdbeditSmbpasswd(text: string): SambaAccount[] {
  const out: SambaAccount[] = [];
  for (const line of text.split('\n')) {
    const parts = line.split(':');
    const [name, uid, , , flags] = parts;
    if (!name || parts.length < 5 || !/^\d+$/.test(uid ?? '')) continue;
    out.push({ name, uid: Number(uid), isDisabled: /^\[[^\]]*D[^\]]*\]$/.test(flags ?? '') });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
