/** cadaver (neon's command-line client) driven by a script against a real BaluHost. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestServer } from '../../server/test/helpers.js';
import { PASSWORD, run, startBaluhostWithUser, USER } from './support.js';

describe('cadaver', () => {
  let ts: TestServer;
  let work: string;
  let output = '';

  before(async () => {
    ts = await startBaluhostWithUser();
    work = await mkdtemp(path.join(os.tmpdir(), 'baluhost-cadaver-'));
    const host = new URL(ts.url).hostname;
    // cadaver reads credentials from ~/.netrc; HOME points at the test's own folder.
    await writeFile(path.join(work, '.netrc'), `machine ${host} login ${USER} password ${PASSWORD}\n`, {
      mode: 0o600,
    });
    await writeFile(path.join(work, 'local file.txt'), 'cadaver was here\n');
    const script = [
      'mkcol cad',
      'cd cad',
      `lcd ${work}`,
      'put "local file.txt" up.txt',
      'ls',
      'get up.txt back.txt',
      'copy up.txt copy.txt',
      'move copy.txt moved.txt',
      'propset up.txt colour blue',
      'propget up.txt colour',
      'lock up.txt',
      'put "local file.txt" up.txt',
      'unlock up.txt',
      'delete moved.txt',
      'cd ..',
      'rmcol cad',
      'ls',
      'quit',
      '',
    ].join('\n');
    const result = await run('cadaver', [`${ts.url}/dav/home/`], {
      input: script,
      env: { ...process.env, HOME: work },
      cwd: work,
    });
    output = result.stdout + result.stderr;
  });

  after(async () => {
    await ts.close();
    await rm(work, { recursive: true, force: true });
  });

  it('runs every step of the script without a failure', () => {
    assert.doesNotMatch(output, /failed/i, output);
    assert.match(output, /Creating `cad': succeeded/);
    assert.match(output, /Uploading .* succeeded/);
    assert.match(output, /Locking `up.txt': succeeded/);
    assert.match(output, /Unlocking `up.txt': succeeded/);
    assert.match(output, /Deleting collection `cad': succeeded/);
  });

  it('lists the upload, round-trips its content and shows the property it set', async () => {
    assert.match(output, /up\.txt\s+17/);
    assert.equal(await readFile(path.join(work, 'back.txt'), 'utf8'), 'cadaver was here\n');
    assert.match(output, /Value of colour is: blue/);
  });
});
