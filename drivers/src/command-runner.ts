import { execFile } from 'node:child_process';

import { DriverFailedError, DriverTimeoutError, DriverUnavailableError } from './errors.js';

/** What a finished command printed and how it exited. */
export interface CommandResult {
  readonly stdout: string;
  readonly stderr: string;
  /** The process exit code; a non-zero code is returned, not thrown (smartctl's is a bit mask). */
  readonly exitCode: number;
}

/** Options of one command run. */
export interface CommandRunOptions {
  /** Kill the command after this many milliseconds. Required: nothing a driver runs may hang forever. */
  readonly timeoutMs: number;
}

/**
 * Runs one external program with an argument vector: no shell, always a timeout.
 * Backends take it as a parameter so tests can feed captured outputs.
 */
export interface CommandRunner {
  /**
   * Runs `cmd` with `args` and resolves when it exits, whatever its exit code.
   * @throws DriverUnavailableError (`DRIVER_UNAVAILABLE`) when `cmd` is not installed or not executable.
   * @throws DriverTimeoutError (`DRIVER_TIMEOUT`) when it runs longer than `options.timeoutMs`.
   * @throws DriverFailedError (`DRIVER_FAILED`) when it cannot be started or prints more than the output cap.
   */
  run(cmd: string, args: readonly string[], options: CommandRunOptions): Promise<CommandResult>;
}

/** The timeout drivers use when the caller gives none. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 30_000;

/** Options of {@link ExecFileCommandRunner}. */
export interface ExecFileCommandRunnerOptions {
  /** Environment of the child; inherits the server's when omitted. */
  readonly env?: Readonly<Record<string, string>>;
  /** Output cap per stream in bytes (default 16 MiB). */
  readonly maxBufferBytes?: number;
}

interface ExecFileFailure {
  code?: unknown;
  killed?: boolean;
  signal?: string | null;
}

/** {@link CommandRunner} on `child_process.execFile`: no shell, SIGKILL at the timeout. */
export class ExecFileCommandRunner implements CommandRunner {
  private readonly env: Readonly<Record<string, string>> | undefined;
  private readonly maxBufferBytes: number;

  constructor(options: ExecFileCommandRunnerOptions = {}) {
    this.env = options.env;
    this.maxBufferBytes = options.maxBufferBytes ?? 16 * 1024 * 1024;
  }

  run(cmd: string, args: readonly string[], options: CommandRunOptions): Promise<CommandResult> {
    if (!(options.timeoutMs > 0)) {
      return Promise.reject(new RangeError('timeoutMs must be a positive number'));
    }
    return new Promise((resolve, reject) => {
      execFile(
        cmd,
        args,
        {
          shell: false,
          timeout: options.timeoutMs,
          killSignal: 'SIGKILL',
          maxBuffer: this.maxBufferBytes,
          encoding: 'utf8',
          windowsHide: true,
          ...(this.env === undefined ? {} : { env: { ...this.env } }),
        },
        (error, stdout, stderr) => {
          if (error === null) {
            resolve({ stdout, stderr, exitCode: 0 });
            return;
          }
          const failure = error as ExecFileFailure;
          const details = { command: cmd, args: [...args] };
          if (failure.code === 'ENOENT' || failure.code === 'EACCES') {
            reject(
              new DriverUnavailableError(`${cmd} is not installed or not executable (${failure.code})`, {
                details,
                cause: error,
              }),
            );
          } else if (failure.killed === true && failure.signal === 'SIGKILL') {
            reject(
              new DriverTimeoutError(`${cmd} did not finish within ${options.timeoutMs} ms`, {
                details: { ...details, timeoutMs: options.timeoutMs },
                cause: error,
              }),
            );
          } else if (typeof failure.code === 'number') {
            resolve({ stdout, stderr, exitCode: failure.code });
          } else {
            reject(new DriverFailedError(`${cmd} could not be run`, { details, cause: error }));
          }
        },
      );
    });
  }
}

/** Runs a command and throws {@link DriverFailedError} with its stderr when it exits non-zero. */
export async function runChecked(
  runner: CommandRunner,
  cmd: string,
  args: readonly string[],
  options: CommandRunOptions,
): Promise<CommandResult> {
  const result = await runner.run(cmd, args, options);
  if (result.exitCode !== 0) {
    const stderr = result.stderr.trim().split('\n').slice(-5).join('\n');
    throw new DriverFailedError(`${cmd} exited with code ${result.exitCode}${stderr ? `: ${stderr}` : ''}`, {
      details: { command: cmd, args: [...args], exitCode: result.exitCode, stderr },
    });
  }
  return result;
}
