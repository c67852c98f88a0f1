import type { CommandRunner } from '../command-runner.js';
import { DEFAULT_COMMAND_TIMEOUT_MS } from '../command-runner.js';
import { DriverFailedError, DriverUnavailableError } from '../errors.js';
import { arrayAt, stringAt } from '../json-value.js';
import { checkDevicePath, checkSelfTestType } from './smart-arguments.js';
import { parseSmartctlReport, parseSmartctlScan, parseSmartctlSelfTest } from './parse-smartctl-json.js';
import type {
  SmartDevice,
  SmartDriver,
  SmartReport,
  SmartSelfTestStatus,
  SmartSelfTestType,
} from './smart-driver.js';

/** Options of {@link SmartctlSmartDriver}. */
export interface SmartctlSmartDriverOptions {
  readonly runner: CommandRunner;
  /** The smartctl binary (default `smartctl`). */
  readonly smartctlPath?: string;
  /** Per-command timeout (default 30 s; a sleeping disk can take seconds to spin up). */
  readonly timeoutMs?: number;
}

// smartctl's exit status is a bit mask (smartctl(8) "RETURN VALUES"): bits 0-1 mean the command
// itself failed; bits 2-7 describe the disk and still come with a full report.
const EXIT_COMMAND_LINE = 0x01;
const EXIT_DEVICE_OPEN = 0x02;

/** Real S.M.A.R.T. backend on `smartctl --json` (smartmontools ≥ 7.0). Needs root to open the disks. */
export class SmartctlSmartDriver implements SmartDriver {
  private readonly runner: CommandRunner;
  private readonly smartctl: string;
  private readonly timeoutMs: number;
  /** Types from the last scan, for drives smartctl cannot detect alone (`megaraid,N`, USB bridges). */
  private readonly knownTypes = new Map<string, string>();

  constructor(options: SmartctlSmartDriverOptions) {
    this.runner = options.runner;
    this.smartctl = options.smartctlPath ?? 'smartctl';
    this.timeoutMs = options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  }

  async listDevices(): Promise<SmartDevice[]> {
    const devices = parseSmartctlScan(await this.runJson(['--json', '--scan-open'], null));
    for (const d of devices) this.knownTypes.set(d.device, d.type);
    return devices;
  }

  async getReport(device: string): Promise<SmartReport> {
    const path = this.checkDevice(device);
    return parseSmartctlReport(
      await this.runJson(['--json', '-x', ...this.typeArgs(path), path], path),
      path,
    );
  }

  async startSelfTest(device: string, type: SmartSelfTestType): Promise<void> {
    const path = this.checkDevice(device);
    checkSelfTestType(type);
    const json = await this.runJson(['--json', '-t', type, ...this.typeArgs(path), path], path);
    // A refused start (e.g. a test already running) sets bit 2 and an error message, not bit 0/1.
    const refused = arrayAt(json, 'smartctl', 'messages').find((m) => stringAt(m, 'severity') === 'error');
    if (refused !== undefined) {
      throw new DriverFailedError(
        `smartctl could not start a ${type} self-test on ${path}: ${stringAt(refused, 'string') ?? ''}`,
      );
    }
  }

  async getSelfTestStatus(device: string): Promise<SmartSelfTestStatus> {
    const path = this.checkDevice(device);
    return parseSmartctlSelfTest(
      await this.runJson(['--json', '-c', '-l', 'selftest', ...this.typeArgs(path), path], path),
    );
  }

  private checkDevice(device: string): string {
    return checkDevicePath(device);
  }

  private typeArgs(path: string): string[] {
    const type = this.knownTypes.get(path);
    // Plain types are what smartctl detects by itself; only RAID-controller and bridge types need -d.
    return type?.includes(',') === true ? ['-d', type] : [];
  }

  private async runJson(args: string[], device: string | null): Promise<unknown> {
    const result = await this.runner.run(this.smartctl, args, { timeoutMs: this.timeoutMs });
    let json: unknown;
    try {
      json = JSON.parse(result.stdout) as unknown;
    } catch (error) {
      throw new DriverFailedError(
        `smartctl printed no JSON (exit code ${result.exitCode}); smartmontools 7.0 or newer is needed`,
        {
          details: { args, exitCode: result.exitCode, stderr: result.stderr.slice(0, 500) },
          cause: error,
        },
      );
    }
    const messages = arrayAt(json, 'smartctl', 'messages')
      .map((m) => stringAt(m, 'string'))
      .filter((m): m is string => m !== null)
      .join('; ');
    if ((result.exitCode & EXIT_DEVICE_OPEN) !== 0) {
      throw new DriverUnavailableError(
        `smartctl cannot open ${device ?? 'the devices'}${messages ? `: ${messages}` : ''}`,
        {
          details: { args, exitCode: result.exitCode },
        },
      );
    }
    if ((result.exitCode & EXIT_COMMAND_LINE) !== 0) {
      throw new DriverFailedError(`smartctl rejected the command${messages ? `: ${messages}` : ''}`, {
        details: { args, exitCode: result.exitCode },
      });
    }
    return json;
  }
}
