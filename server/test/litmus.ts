// litmus 0.13 (Debian's package): running it and reading its per-suite summaries.
import { execFile } from 'node:child_process';
import os from 'node:os';

export const LITMUS_SUITES = ['basic', 'copymove', 'props', 'locks', 'http'];

export interface SuiteSummary {
  readonly run: number;
  readonly passed: number;
  readonly failed: number;
}

export function runLitmus(url: string, username: string, password: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      '/usr/bin/litmus',
      ['--keep-going', url, username, password],
      // litmus writes child.log and debug.log into its working directory: keep them out of the checkout.
      {
        cwd: os.tmpdir(),
        env: { ...process.env, TESTS: LITMUS_SUITES.join(' ') },
        timeout: 240_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        // litmus exits non-zero when a test fails; the summaries tell which, so they are what is asserted.
        if (err && err.killed) reject(new Error(`litmus timed out\n${stdout}${stderr}`));
        else resolve(stdout + stderr);
      },
    );
  });
}

export function summaries(output: string): Map<string, SuiteSummary> {
  const result = new Map<string, SuiteSummary>();
  for (const m of output.matchAll(/summary for `(\w+)': of (\d+) tests run: (\d+) passed, (\d+) failed/g)) {
    result.set(m[1]!, { run: Number(m[2]), passed: Number(m[3]), failed: Number(m[4]) });
  }
  return result;
}
