/** Shared setup for the real-client suites: a real BaluHost (the server's test helper) and a user. */
import { execFile, type ExecFileOptions } from 'node:child_process';
import { startTestServer, type TestServer } from '../../server/test/helpers.js';

export const USER = 'alice';
export const PASSWORD = 'alice-pass-1';

export async function startBaluhostWithUser(): Promise<TestServer> {
  const ts = await startTestServer();
  await ts.createUser(USER, PASSWORD);
  return ts;
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command without a shell; resolves with its exit code and output (never rejects on a non-zero exit). */
export function run(
  command: string,
  args: readonly string[],
  options: ExecFileOptions & { readonly input?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      { timeout: 300_000, maxBuffer: 32 * 1024 * 1024, ...options, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') {
          reject(new Error(`${command} failed: ${err.message}\n${stderr}`, { cause: err }));
          return;
        }
        resolve({
          code: typeof err?.code === 'number' ? err.code : 0,
          stdout,
          stderr,
        });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** rclone's on-the-fly WebDAV remote for the user's home (no config file). */
export async function rcloneRemoteFlags(ts: TestServer): Promise<string[]> {
  const obscured = (await run('rclone', ['obscure', PASSWORD])).stdout.trim();
  return [
    '--config',
    '/dev/null',
    '--webdav-url',
    `${ts.url}/dav/home`,
    '--webdav-vendor',
    'other',
    '--webdav-user',
    USER,
    '--webdav-pass',
    obscured,
  ];
}

/** Polls `check` every 50 ms until it holds or `timeoutMs` passes (no fixed sleeps). */
export async function waitFor(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
