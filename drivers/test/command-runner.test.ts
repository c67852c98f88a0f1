import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ExecFileCommandRunner, runChecked } from '../src/command-runner.js';
import { isDriverError } from '../src/errors.js';

const node = process.execPath;

describe('ExecFileCommandRunner', () => {
  const runner = new ExecFileCommandRunner();

  it('runs a program with an argument vector and no shell', async () => {
    const result = await runner.run(
      node,
      ['-e', 'process.stdout.write(process.argv[1] ?? "")', '$(echo hi); rm -rf /'],
      {
        timeoutMs: 10_000,
      },
    );
    assert.deepEqual(result, { stdout: '$(echo hi); rm -rf /', stderr: '', exitCode: 0 });
  });

  it('returns a non-zero exit code instead of throwing (smartctl uses it as a bit mask)', async () => {
    const result = await runner.run(node, ['-e', 'process.stderr.write("bad"); process.exit(4)'], {
      timeoutMs: 10_000,
    });
    assert.equal(result.exitCode, 4);
    assert.equal(result.stderr, 'bad');
    await assert.rejects(
      runChecked(runner, node, ['-e', 'process.exit(3)'], { timeoutMs: 10_000 }),
      (error: unknown) => {
        assert.ok(isDriverError(error, 'DRIVER_FAILED'));
        assert.match(error.message, /exited with code 3/);
        return true;
      },
    );
  });

  it('throws DRIVER_UNAVAILABLE naming a missing binary', async () => {
    await assert.rejects(runner.run('baluhost-no-such-tool', [], { timeoutMs: 1000 }), (error: unknown) => {
      assert.ok(isDriverError(error, 'DRIVER_UNAVAILABLE'));
      assert.match(error.message, /baluhost-no-such-tool is not installed/);
      return true;
    });
  });

  it('kills a command that outlives its timeout and throws DRIVER_TIMEOUT', async () => {
    await assert.rejects(
      runner.run(node, ['-e', 'setInterval(() => {}, 1000)'], { timeoutMs: 300 }),
      (error: unknown) => {
        assert.ok(isDriverError(error, 'DRIVER_TIMEOUT'));
        return true;
      },
    );
  });

  it('insists on a timeout', async () => {
    await assert.rejects(runner.run(node, ['-v'], { timeoutMs: 0 }), RangeError);
  });
});
