/**
 * WebDAV conformance: litmus 0.13 (Debian's package) against a real BaluHost, every default suite (basic,
 * copymove, props, locks, http), as a normal user in their home. Issue 3's contract: 0 failed per suite, and the
 * server still answers afterwards.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from './helpers.js';
import { LITMUS_SUITES as SUITES, runLitmus, summaries } from './litmus.js';

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
