/**
 * WebDAV conformance: litmus 0.13 (Debian's package) against a real BaluHost, every default suite (basic,
 * copymove, props, locks, http), as a normal user in their home. Issue 3's contract: 0 failed per suite, and the
 * server still answers afterwards.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import os from 'node:os';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from './helpers.js';

const SUITES = ['basic', 'copymove', 'props', 'locks', 'http'];

interface SuiteSummary {
  readonly run: number;
  readonly passed: number;
  readonly failed: number;
}

function runLitmus(url: string, username: string, password: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      '/usr/bin/litmus',
      ['--keep-going', url, username, password],
      // litmus writes child.log and debug.log into its working directory: keep them out of the checkout.
      {
        cwd: os.tmpdir(),
        env: { ...process.env, TESTS: SUITES.join(' ') },
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

function summaries(output: string): Map<string, SuiteSummary> {
  const result = new Map<string, SuiteSummary>();
  for (const m of output.matchAll(/summary for `(\w+)': of (\d+) tests run: (\d+) passed, (\d+) failed/g)) {
    result.set(m[1]!, { run: Number(m[2]), passed: Number(m[3]), failed: Number(m[4]) });
  }
  return result;
}

describe('litmus against BaluHost', () => {
  let ts: TestServer;
  let output = '';

  before(async () => {
    ts = await startTestServer();
    await ts.createUser('litmus', 'litmus-pass-1');
    output = await runLitmus(`${ts.url}/dav/home/`, 'litmus', 'litmus-pass-1');
  });
  after(async () => {
    await ts.close();
  });

  for (const suite of SUITES) {
    it(`passes every ${suite} test`, () => {
      const summary = summaries(output).get(suite);
      assert.ok(summary, `no summary for ${suite}:\n${output}`);
      assert.ok(summary.run > 0);
      const failures = output.split('\n').filter((line) => /FAIL/.test(line));
      assert.equal(summary.failed, 0, `${suite}: ${failures.join('\n')}`);
    });
  }

  it('is still serving afterwards', async () => {
    const options = await ts.http().options('/');
    assert.equal(options.status, 200);
    assert.equal(options.headers['dav'], '1, 2');
    const listing = await ts
      .http()
      .get('/dav/home/')
      .set('Authorization', 'Basic ' + Buffer.from('litmus:litmus-pass-1').toString('base64'));
    assert.equal(listing.status, 200);
  });
});
