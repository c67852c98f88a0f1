import type { CommandResult, CommandRunner, CommandRunOptions } from '../../src/command-runner.js';

/** One call the fake saw. */
export interface RecordedCall {
  readonly cmd: string;
  readonly args: readonly string[];
  readonly timeoutMs: number;
}

type Responder = (cmd: string, args: readonly string[]) => Partial<CommandResult> | Error | undefined;

/**
 * A CommandRunner stub for tools that cannot run on real hardware in tests (mdadm, smartctl):
 * answers from captured outputs and records every argument vector.
 */
export class FakeCommandRunner implements CommandRunner {
  readonly calls: RecordedCall[] = [];
  private readonly responders: Responder[] = [];

  /** Answers calls whose args start with `argsPrefix` (and whose cmd matches) with `result`. */
  on(cmd: string, argsPrefix: readonly string[], result: Partial<CommandResult> | Error): this {
    this.responders.unshift((c, args) =>
      c === cmd && argsPrefix.every((a, i) => args[i] === a) ? result : undefined,
    );
    return this;
  }

  /** Calls made to `cmd`, as argument vectors. */
  argsOf(cmd: string): (readonly string[])[] {
    return this.calls.filter((c) => c.cmd === cmd).map((c) => c.args);
  }

  run(cmd: string, args: readonly string[], options: CommandRunOptions): Promise<CommandResult> {
    this.calls.push({ cmd, args: [...args], timeoutMs: options.timeoutMs });
    for (const responder of this.responders) {
      const answer = responder(cmd, args);
      if (answer instanceof Error) return Promise.reject(answer);
      if (answer !== undefined) {
        return Promise.resolve({
          stdout: answer.stdout ?? '',
          stderr: answer.stderr ?? '',
          exitCode: answer.exitCode ?? 0,
        });
      }
    }
    return Promise.resolve({
      stdout: '',
      stderr: `fake: no answer for ${cmd} ${args.join(' ')}`,
      exitCode: 1,
    });
  }
}
