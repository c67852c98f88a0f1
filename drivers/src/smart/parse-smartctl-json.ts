import { arrayAt, booleanAt, numberAt, stringAt } from '../json-value.js';
import type {
  SmartAttribute,
  SmartDevice,
  SmartHealth,
  SmartNvmeHealth,
  SmartProtocol,
  SmartReport,
  SmartScsiHealth,
  SmartSelfTestEntry,
  SmartSelfTestStatus,
} from './smart-driver.js';

/** NVMe "data units" are thousands of 512-byte blocks (NVMe base spec, SMART / Health log). */
const NVME_DATA_UNIT_BYTES = 512_000;

function toProtocol(text: string | null): SmartProtocol {
  switch (text?.toUpperCase()) {
    case 'ATA':
      return 'ATA';
    case 'NVME':
      return 'NVMe';
    case 'SCSI':
      return 'SCSI';
    default:
      return 'unknown';
  }
}

/** Parses `smartctl --json --scan` / `--scan-open`. */
export function parseSmartctlScan(json: unknown): SmartDevice[] {
  const devices: SmartDevice[] = [];
  for (const entry of arrayAt(json, 'devices')) {
    const device = stringAt(entry, 'name');
    if (device === null) continue;
    devices.push({
      device,
      type: stringAt(entry, 'type') ?? 'auto',
      protocol: toProtocol(stringAt(entry, 'protocol')),
    });
  }
  return devices;
}

function parseAttributes(json: unknown): SmartAttribute[] {
  const attributes: SmartAttribute[] = [];
  for (const row of arrayAt(json, 'ata_smart_attributes', 'table')) {
    const id = numberAt(row, 'id');
    if (id === null) continue;
    const whenFailed = stringAt(row, 'when_failed');
    const raw = numberAt(row, 'raw', 'value') ?? 0;
    attributes.push({
      id,
      name: stringAt(row, 'name') ?? `Attribute_${id}`,
      value: numberAt(row, 'value') ?? 0,
      worst: numberAt(row, 'worst') ?? 0,
      thresh: numberAt(row, 'thresh') ?? 0,
      raw,
      rawString: stringAt(row, 'raw', 'string') ?? String(raw),
      isPrefailure: booleanAt(row, 'flags', 'prefailure') ?? false,
      isFailingNow: whenFailed === 'now',
      hasFailedInPast: whenFailed === 'past',
    });
  }
  return attributes;
}

function parseNvme(json: unknown): SmartNvmeHealth | null {
  const log = 'nvme_smart_health_information_log';
  if (numberAt(json, log, 'critical_warning') === null && numberAt(json, log, 'media_errors') === null)
    return null;
  const read = numberAt(json, log, 'data_units_read');
  const written = numberAt(json, log, 'data_units_written');
  return {
    criticalWarning: numberAt(json, log, 'critical_warning') ?? 0,
    availableSparePercent: numberAt(json, log, 'available_spare'),
    availableSpareThresholdPercent: numberAt(json, log, 'available_spare_threshold'),
    percentageUsed: numberAt(json, log, 'percentage_used'),
    mediaErrors: numberAt(json, log, 'media_errors') ?? 0,
    errorLogEntries: numberAt(json, log, 'num_err_log_entries') ?? 0,
    unsafeShutdowns: numberAt(json, log, 'unsafe_shutdowns'),
    dataReadBytes: read === null ? null : read * NVME_DATA_UNIT_BYTES,
    dataWrittenBytes: written === null ? null : written * NVME_DATA_UNIT_BYTES,
  };
}

function parseScsi(json: unknown, protocol: SmartProtocol): SmartScsiHealth | null {
  if (protocol !== 'SCSI') return null;
  return {
    grownDefects: numberAt(json, 'scsi_grown_defect_list'),
    uncorrectedReadErrors: numberAt(json, 'scsi_error_counter_log', 'read', 'total_uncorrected_errors'),
    uncorrectedWriteErrors: numberAt(json, 'scsi_error_counter_log', 'write', 'total_uncorrected_errors'),
  };
}

/**
 * Parses the self-test state from `-a`/`-x`/`-c -l selftest` JSON: ATA's `ata_smart_data.self_test`
 * and `ata_smart_self_test_log` (standard or extended), NVMe's `nvme_self_test_log` (smartctl ≥ 7.3).
 */
export function parseSmartctlSelfTest(json: unknown): SmartSelfTestStatus {
  const log: SmartSelfTestEntry[] = [];
  const ataTable = [
    ...arrayAt(json, 'ata_smart_self_test_log', 'extended', 'table'),
    ...arrayAt(json, 'ata_smart_self_test_log', 'standard', 'table'),
  ];
  for (const entry of ataTable) {
    const hours = numberAt(entry, 'lifetime_hours');
    log.push({
      type: stringAt(entry, 'type', 'string') ?? 'unknown',
      status: stringAt(entry, 'status', 'string') ?? 'unknown',
      isPassed: booleanAt(entry, 'status', 'passed'),
      lifetimeSeconds: hours === null ? null : hours * 3600,
    });
  }
  for (const entry of arrayAt(json, 'nvme_self_test_log', 'table')) {
    const hours = numberAt(entry, 'power_on_hours');
    const result = numberAt(entry, 'self_test_result', 'value');
    log.push({
      type: stringAt(entry, 'self_test_code', 'string') ?? 'unknown',
      status: stringAt(entry, 'self_test_result', 'string') ?? 'unknown',
      isPassed: result === null ? null : result === 0,
      lifetimeSeconds: hours === null ? null : hours * 3600,
    });
  }

  // ATA: status value 0xF0-0xFF (240-255) means "in progress", low nibble = remaining tenths.
  const ataStatus = numberAt(json, 'ata_smart_data', 'self_test', 'status', 'value');
  if (ataStatus !== null && ataStatus >= 0xf0) {
    const remaining =
      numberAt(json, 'ata_smart_data', 'self_test', 'status', 'remaining_percent') ?? (ataStatus & 0x0f) * 10;
    return { isRunning: true, remainingPercent: remaining, log };
  }
  const nvmeOperation = numberAt(json, 'nvme_self_test_log', 'current_self_test_operation', 'value');
  if (nvmeOperation !== null && nvmeOperation !== 0) {
    const done = numberAt(json, 'nvme_self_test_log', 'current_self_test_completion_percent');
    return { isRunning: true, remainingPercent: done === null ? null : 100 - done, log };
  }
  return { isRunning: false, remainingPercent: null, log };
}

function warningsOf(report: Omit<SmartReport, 'warnings'>): string[] {
  const warnings: string[] = [];
  if (report.health === 'FAILED') warnings.push('the drive reports its overall health as FAILED');
  for (const a of report.attributes) {
    if (a.isFailingNow)
      warnings.push(`${a.name} is at or below its threshold (value ${a.value}, threshold ${a.thresh})`);
    else if (a.hasFailedInPast) warnings.push(`${a.name} was at or below its threshold in the past`);
  }
  const rawOf = (id: number): number => report.attributes.find((a) => a.id === id)?.raw ?? 0;
  const sectors: [number, string][] = [
    [5, 'reallocated sectors'],
    [197, 'sectors pending reallocation'],
    [198, 'offline uncorrectable sectors'],
  ];
  for (const [id, what] of sectors) if (rawOf(id) > 0) warnings.push(`${rawOf(id)} ${what}`);
  if (report.nvme !== null) {
    if (report.nvme.criticalWarning !== 0) {
      warnings.push(`NVMe critical warning 0x${report.nvme.criticalWarning.toString(16).padStart(2, '0')}`);
    }
    if (report.nvme.mediaErrors > 0) warnings.push(`${report.nvme.mediaErrors} NVMe media errors`);
  }
  if (report.scsi?.grownDefects) warnings.push(`${report.scsi.grownDefects} grown defects`);
  return warnings;
}

/**
 * Parses `smartctl --json -a|-x <device>` for ATA, NVMe and SCSI drives. Accepts both SCSI key
 * spellings: `vendor`/`product`/`model_name` (≤ 7.2) and `scsi_vendor`/`scsi_product`/`scsi_model_name` (≥ 7.3).
 * @param fallbackDevice - used when the JSON lacks `device.name`.
 */
export function parseSmartctlReport(json: unknown, fallbackDevice: string): SmartReport {
  const protocol = toProtocol(stringAt(json, 'device', 'protocol'));
  const scsiModel =
    stringAt(json, 'scsi_model_name') ??
    ([
      stringAt(json, 'scsi_vendor') ?? stringAt(json, 'vendor'),
      stringAt(json, 'scsi_product') ?? stringAt(json, 'product'),
    ]
      .filter((s): s is string => s !== null)
      .join(' ') ||
      null);
  const passed = booleanAt(json, 'smart_status', 'passed');
  const health: SmartHealth = passed === null ? 'UNKNOWN' : passed ? 'PASSED' : 'FAILED';
  const hours = numberAt(json, 'power_on_time', 'hours');
  const minutes = numberAt(json, 'power_on_time', 'minutes') ?? 0;
  const nvme = parseNvme(json);
  const base = {
    device: stringAt(json, 'device', 'name') ?? fallbackDevice,
    protocol,
    model: stringAt(json, 'model_name') ?? scsiModel,
    serial: stringAt(json, 'serial_number'),
    firmware:
      stringAt(json, 'firmware_version') ?? stringAt(json, 'scsi_revision') ?? stringAt(json, 'revision'),
    capacityBytes: numberAt(json, 'user_capacity', 'bytes') ?? numberAt(json, 'nvme_total_capacity'),
    rotationRpm: numberAt(json, 'rotation_rate') ?? (protocol === 'NVMe' ? 0 : null),
    health,
    temperatureCelsius: numberAt(json, 'temperature', 'current'),
    powerOnSeconds: hours === null ? null : hours * 3600 + minutes * 60,
    powerCycles: numberAt(json, 'power_cycle_count'),
    attributes: parseAttributes(json),
    nvme,
    scsi: parseScsi(json, protocol),
    selfTest: parseSmartctlSelfTest(json),
  };
  return { ...base, warnings: warningsOf(base) };
}
