import type { Request } from 'express';
import type { ApiRoutes } from '../route.js';
import { validationError } from '../route.js';
import { z } from '../openapi-zod.js';
import { ValidationError } from '../../errors/index.js';
import type { HardwareService } from '../../hardware/index.js';

// --- parameters --------------------------------------------------------------------------------

const ARRAY_NAME = z
  .string()
  .regex(/^md\d{1,3}$/, 'must be an md array name such as md0')
  .openapi({ example: 'md0' });
/** A kernel block-device name (`sda`, `sdb1`, `nvme0n1`): never a path in a URL. */
const DEVICE_NAME = z
  .string()
  .regex(/^[a-z][a-z0-9]{0,31}$/, 'must be a kernel device name such as sda or nvme0n1')
  .openapi({ example: 'sdc' });
/** In bodies a device may also be given as its /dev path. */
const DEVICE = z
  .string()
  .regex(/^(\/dev\/)?[a-z][a-z0-9]{0,31}$/, 'must be a device such as sdc or /dev/sdc')
  .openapi({ example: 'sdc' });
const FAN_ID = z
  .string()
  .regex(/^hwmon\d{1,3}\/fan\d{1,2}$/, 'must be a fan id such as hwmon0/fan1 (URL-encoded: hwmon0%2Ffan1)')
  .openapi({ example: 'hwmon0/fan1' });
const CONFIRM_TOKEN = z.string().min(1).max(128).openapi({
  description: 'The token of a previous 428 CONFIRMATION_REQUIRED answer (its details.confirmToken).',
});
const CONFIRM_QUERY = z.object({ confirmToken: CONFIRM_TOKEN.optional() }).strict();
/** Body of the destructive routes that have nothing else to say; the token may also be in the query. */
const CONFIRM_BODY = z.object({ confirmToken: CONFIRM_TOKEN.optional() }).strict();

const ARRAY_PARAMS = z.object({ name: ARRAY_NAME }).strict();
const MEMBER_PARAMS = z.object({ name: ARRAY_NAME, device: DEVICE_NAME }).strict();
const DEVICE_PARAMS = z.object({ device: DEVICE_NAME }).strict();
const FAN_PARAMS = z.object({ id: FAN_ID }).strict();
const BYTES_PER_SECOND = z.number().int().min(1024).max(Number.MAX_SAFE_INTEGER);
const HERTZ = z.number().int().min(1).max(100_000_000_000);

// --- responses (documentation; the drivers' types are the source) -------------------------------

const MODE = z.enum(['simulated', 'real']);
const RAID_ARRAY = z
  .object({
    name: z.string(),
    level: z.string(),
    state: z.enum(['clean', 'degraded', 'recovering', 'resyncing', 'checking', 'reshaping', 'inactive']),
    isDegraded: z.boolean(),
    sizeBytes: z.number(),
    raidDevices: z.number().int().nullable(),
    members: z.array(
      z.object({
        device: z.string(),
        role: z.enum(['active', 'spare', 'faulty']),
        slot: z.number().int().nullable(),
        isRebuilding: z.boolean(),
      }),
    ),
    sync: z
      .object({
        action: z.enum(['resync', 'recover', 'check', 'repair', 'reshape']),
        progressPercent: z.number(),
        speedBytesPerSecond: z.number().nullable(),
        finishSeconds: z.number().nullable(),
      })
      .nullable(),
  })
  .openapi('RaidArray');
const RAID_DISK = z
  .object({
    device: z.string(),
    sizeBytes: z.number(),
    isSystemDisk: z.boolean(),
    arrayName: z.string().nullable(),
  })
  .openapi('RaidDisk');
const SPEED_LIMITS = z
  .object({ minBytesPerSecond: z.number(), maxBytesPerSecond: z.number() })
  .openapi('RaidSpeedLimits');
const RAID_OVERVIEW = z
  .object({ mode: MODE, arrays: z.array(RAID_ARRAY), disks: z.array(RAID_DISK), speedLimits: SPEED_LIMITS })
  .openapi('RaidOverview');

const SMART_HEALTH = z.enum(['PASSED', 'FAILED', 'UNKNOWN']);
const SELF_TEST_STATUS = z
  .object({
    isRunning: z.boolean(),
    remainingPercent: z.number().nullable(),
    log: z.array(
      z.object({
        type: z.string(),
        status: z.string(),
        isPassed: z.boolean().nullable(),
        lifetimeSeconds: z.number().nullable(),
      }),
    ),
  })
  .openapi('SmartSelfTestStatus');
const SMART_SUMMARY = z
  .object({
    device: z.string(),
    type: z.string(),
    protocol: z.string(),
    model: z.string().nullable(),
    serial: z.string().nullable(),
    capacityBytes: z.number().nullable(),
    health: SMART_HEALTH,
    temperatureCelsius: z.number().nullable(),
    powerOnSeconds: z.number().nullable(),
    warnings: z.array(z.string()),
    isSelfTestRunning: z.boolean(),
    error: z.string().nullable(),
  })
  .openapi('SmartDeviceSummary');
const SMART_REPORT = z
  .object({
    device: z.string(),
    protocol: z.string(),
    model: z.string().nullable(),
    serial: z.string().nullable(),
    firmware: z.string().nullable(),
    capacityBytes: z.number().nullable(),
    rotationRpm: z.number().nullable(),
    health: SMART_HEALTH,
    temperatureCelsius: z.number().nullable(),
    powerOnSeconds: z.number().nullable(),
    powerCycles: z.number().nullable(),
    attributes: z.array(
      z.object({
        id: z.number().int(),
        name: z.string(),
        value: z.number(),
        worst: z.number(),
        thresh: z.number(),
        raw: z.number(),
        rawString: z.string(),
        isPrefailure: z.boolean(),
        isFailingNow: z.boolean(),
        hasFailedInPast: z.boolean(),
      }),
    ),
    nvme: z.record(z.string(), z.number().nullable()).nullable(),
    scsi: z.record(z.string(), z.number().nullable()).nullable(),
    selfTest: SELF_TEST_STATUS,
    warnings: z.array(z.string()),
  })
  .openapi('SmartReport');

const POWER_STATUS = z
  .object({
    scalingDriver: z.string().nullable(),
    governor: z.string().nullable(),
    availableGovernors: z.array(z.string()),
    energyPerformancePreference: z.string().nullable(),
    availableEnergyPerformancePreferences: z.array(z.string()),
    hardwareMinHz: z.number().nullable(),
    hardwareMaxHz: z.number().nullable(),
    cpus: z.array(
      z.object({
        cpu: z.number().int(),
        governor: z.string().nullable(),
        energyPerformancePreference: z.string().nullable(),
        currentHz: z.number().nullable(),
        minHz: z.number().nullable(),
        maxHz: z.number().nullable(),
        hardwareMinHz: z.number().nullable(),
        hardwareMaxHz: z.number().nullable(),
      }),
    ),
    activeProfile: z.enum(['powersave', 'balanced', 'performance']).nullable(),
  })
  .openapi('PowerStatus');
const POWER_OVERVIEW = z
  .object({
    mode: MODE,
    status: POWER_STATUS,
    profiles: z.array(
      z.object({
        name: z.enum(['powersave', 'balanced', 'performance']),
        governor: z.string(),
        energyPerformancePreference: z.string().nullable(),
        minHz: z.number().nullable(),
        maxHz: z.number().nullable(),
      }),
    ),
  })
  .openapi('PowerOverview');

const FAN = z
  .object({
    id: z.string(),
    chip: z.string(),
    label: z.string(),
    rpm: z.number().nullable(),
    pwm: z.number().int().nullable(),
    pwmPercent: z.number().nullable(),
    mode: z.enum(['manual', 'auto', 'full', 'unknown']),
    isControllable: z.boolean(),
  })
  .openapi('Fan');
const FAN_CURVE = z
  .object({
    points: z
      .array(
        z
          .object({
            temperatureCelsius: z.number().min(-50).max(150),
            pwmPercent: z.number().min(0).max(100),
          })
          .strict(),
      )
      .min(1)
      .max(16)
      .openapi({ description: 'Temperatures strictly rising; linear between points, flat beyond the ends.' }),
    hysteresisCelsius: z.number().min(0).max(20).default(2),
    minPwmPercent: z.number().min(0).max(100).default(0),
    maxPwmPercent: z.number().min(0).max(100).default(100),
  })
  .strict();
const FAN_CURVE_INPUT = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('sensor'), sensorId: z.string().max(64) }).strict(),
    z.object({ kind: z.literal('hottest-disk') }).strict(),
  ])
  .openapi({
    description: 'What the curve reads: one temperature sensor, or the hottest disk (S.M.A.R.T.).',
  });
const FAN_TICK = z.object({
  fanId: z.string(),
  temperatureCelsius: z.number().nullable(),
  pwm: z.number().int(),
  isFallback: z.boolean(),
  error: z.string().nullable(),
  atMs: z.number(),
});
const FAN_CURVE_VIEW = z
  .object({
    fanId: z.string(),
    curve: FAN_CURVE,
    input: FAN_CURVE_INPUT,
    isActive: z.boolean(),
    lastTick: FAN_TICK.nullable(),
  })
  .openapi('FanCurve');
const FANS_OVERVIEW = z
  .object({
    mode: MODE,
    fans: z.array(FAN),
    sensors: z.array(
      z.object({ id: z.string(), chip: z.string(), label: z.string(), celsius: z.number().nullable() }),
    ),
    curves: z.array(FAN_CURVE_VIEW),
  })
  .openapi('FansOverview');

const TELEMETRY = z
  .object({
    cpu: z.object({
      loadPercent: z.number(),
      cores: z.array(z.object({ core: z.number().int(), loadPercent: z.number() })),
    }),
    memory: z.object({
      totalBytes: z.number(),
      usedBytes: z.number(),
      availableBytes: z.number(),
      swapTotalBytes: z.number(),
      swapUsedBytes: z.number(),
    }),
    network: z.array(
      z.object({
        name: z.string(),
        isUp: z.boolean(),
        rxBytes: z.number(),
        txBytes: z.number(),
        rxBytesPerSecond: z.number().nullable(),
        txBytesPerSecond: z.number().nullable(),
      }),
    ),
    diskIo: z
      .object({
        readBytes: z.number(),
        writtenBytes: z.number(),
        readBytesPerSecond: z.number().nullable(),
        writeBytesPerSecond: z.number().nullable(),
      })
      .nullable(),
    fileSystems: z.array(
      z.object({
        device: z.string(),
        mountPoint: z.string(),
        type: z.string(),
        sizeBytes: z.number(),
        usedBytes: z.number(),
        availableBytes: z.number(),
        usedPercent: z.number(),
      }),
    ),
    uptimeSeconds: z.number(),
    processes: z.array(
      z.object({ pid: z.number().int(), name: z.string(), cpuPercent: z.number(), memoryBytes: z.number() }),
    ),
  })
  .openapi('TelemetrySnapshot');

const CONFIRMATION_RESPONSE = {
  description:
    'CONFIRMATION_REQUIRED: repeat the same request with details.confirmToken (body field or query) within its lifetime',
};
const NOT_SIMULATED = { description: 'NOT_FOUND: this family is not simulated (real hardware)' };

/**
 * The confirmation token, from the body or the query string.
 * @throws ValidationError when both hold different tokens.
 */
function pickToken(fromQuery: string | undefined, fromBody: string | undefined): string | undefined {
  if (fromBody !== undefined && fromQuery !== undefined && fromBody !== fromQuery) {
    throw new ValidationError('Send confirmToken once: the body and the query string disagree.');
  }
  return fromBody ?? fromQuery;
}

/**
 * The confirmation token of a destructive route that declares no body: from the query, or from a
 * JSON body `{confirmToken}` (and nothing else).
 * @throws ValidationError for other body fields, or two different tokens.
 */
function confirmTokenOf(req: Request, fromQuery: string | undefined): string | undefined {
  const body = req.body as unknown;
  if (typeof body !== 'object' || body === null) return fromQuery;
  const parsed = CONFIRM_BODY.safeParse(body);
  if (!parsed.success) throw validationError('body', parsed.error);
  return pickToken(fromQuery, parsed.data.confirmToken);
}

/** /api/raid, /api/smart, /api/power, /api/fans and /api/system: reads for every user, changes for admins. */
export function registerHardwareRoutes(routes: ApiRoutes, deps: { hardware: HardwareService }): void {
  const { hardware } = deps;
  registerRaidRoutes(routes, hardware);
  registerSmartRoutes(routes, hardware);
  registerPowerRoutes(routes, hardware);
  registerFanRoutes(routes, hardware);
  routes.add({
    method: 'get',
    path: '/api/system',
    summary:
      'Host telemetry: CPU per core, memory and swap, network, disk I/O, file systems, uptime, top processes.',
    tag: 'system',
    access: 'user',
    query: z
      .object({
        processes: z
          .string()
          .regex(/^\d+$/, 'must be a whole number')
          .transform(Number)
          .pipe(z.number().int().min(1).max(100))
          .optional()
          .openapi({ description: 'How many of the busiest processes to list (default 10).' }),
      })
      .strict(),
    responses: { 200: { description: 'A snapshot', schema: TELEMETRY } },
    handler: async ({ query }) => ({ body: await hardware.telemetry(query.processes ?? 10) }),
  });
}

function registerRaidRoutes(routes: ApiRoutes, hardware: HardwareService): void {
  routes.add({
    method: 'get',
    path: '/api/raid',
    summary: 'RAID arrays with state and sync progress, the disks, and the resync speed limits.',
    tag: 'raid',
    access: 'user',
    responses: { 200: { description: 'The RAID state', schema: RAID_OVERVIEW } },
    handler: async () => ({ body: await hardware.raidOverview() }),
  });
  routes.add({
    method: 'get',
    path: '/api/raid/arrays/:name',
    summary: 'One RAID array.',
    tag: 'raid',
    access: 'user',
    params: ARRAY_PARAMS,
    responses: { 200: { description: 'The array', schema: RAID_ARRAY } },
    handler: async ({ params }) => ({ body: await hardware.getArray(params.name) }),
  });
  routes.add({
    method: 'post',
    path: '/api/raid/arrays',
    summary: 'Create an array, erasing its disks (two-step: confirmToken).',
    tag: 'raid',
    access: 'admin',
    query: CONFIRM_QUERY,
    body: z
      .object({
        name: ARRAY_NAME,
        level: z.enum(['raid0', 'raid1', 'raid5', 'raid6', 'raid10']),
        devices: z.array(DEVICE).min(2).max(32),
        spares: z.array(DEVICE).max(32).optional(),
        confirmToken: CONFIRM_TOKEN.optional(),
      })
      .strict(),
    responses: { 201: { description: 'Created', schema: RAID_ARRAY }, 428: CONFIRMATION_RESPONSE },
    handler: async ({ principal, query, body }) => {
      const { confirmToken, ...request } = body;
      return {
        status: 201,
        body: await hardware.createArray(principal, request, pickToken(query.confirmToken, confirmToken)),
      };
    },
  });
  for (const kind of ['members', 'spares'] as const) {
    routes.add({
      method: 'post',
      path: `/api/raid/arrays/:name/${kind}`,
      summary:
        kind === 'members'
          ? 'Add an active member (fills a missing slot or grows the array), erasing it (two-step: confirmToken).'
          : 'Add a hot spare, erasing it; a degraded array rebuilds onto it at once (two-step: confirmToken).',
      tag: 'raid',
      access: 'admin',
      params: ARRAY_PARAMS,
      query: CONFIRM_QUERY,
      body: z.object({ device: DEVICE, confirmToken: CONFIRM_TOKEN.optional() }).strict(),
      responses: { 200: { description: 'The array', schema: RAID_ARRAY }, 428: CONFIRMATION_RESPONSE },
      handler: async ({ principal, params, query, body }) => {
        const confirm = pickToken(query.confirmToken, body.confirmToken);
        return {
          body:
            kind === 'members'
              ? await hardware.addMember(principal, params.name, body.device, confirm)
              : await hardware.addSpare(principal, params.name, body.device, confirm),
        };
      },
    });
  }
  routes.add({
    method: 'delete',
    path: '/api/raid/arrays/:name/members/:device',
    summary: 'Remove a member; an active one is failed first (two-step: confirmToken).',
    tag: 'raid',
    access: 'admin',
    params: MEMBER_PARAMS,
    query: CONFIRM_QUERY,
    responses: { 200: { description: 'The array', schema: RAID_ARRAY }, 428: CONFIRMATION_RESPONSE },
    handler: async ({ req, principal, params, query }) => ({
      body: await hardware.removeMember(
        principal,
        params.name,
        params.device,
        confirmTokenOf(req, query.confirmToken),
      ),
    }),
  });
  routes.add({
    method: 'post',
    path: '/api/raid/arrays/:name/members/:device/fail',
    summary: 'Mark a member faulty; the array degrades or a spare takes over (two-step: confirmToken).',
    tag: 'raid',
    access: 'admin',
    params: MEMBER_PARAMS,
    query: CONFIRM_QUERY,
    responses: { 200: { description: 'The array', schema: RAID_ARRAY }, 428: CONFIRMATION_RESPONSE },
    handler: async ({ req, principal, params, query }) => ({
      body: await hardware.failMember(
        principal,
        params.name,
        params.device,
        confirmTokenOf(req, query.confirmToken),
      ),
    }),
  });
  routes.add({
    method: 'post',
    path: '/api/raid/arrays/:name/check',
    summary: 'Start a scrub (md check) of a redundant array.',
    tag: 'raid',
    access: 'admin',
    params: ARRAY_PARAMS,
    responses: { 200: { description: 'The array, checking', schema: RAID_ARRAY } },
    handler: async ({ principal, params }) => ({ body: await hardware.startCheck(principal, params.name) }),
  });
  routes.add({
    method: 'delete',
    path: '/api/raid/arrays/:name/check',
    summary: 'Stop a running scrub (a no-op when none runs).',
    tag: 'raid',
    access: 'admin',
    params: ARRAY_PARAMS,
    responses: { 200: { description: 'The array', schema: RAID_ARRAY } },
    handler: async ({ principal, params }) => ({ body: await hardware.stopCheck(principal, params.name) }),
  });
  routes.add({
    method: 'put',
    path: '/api/raid/speed-limits',
    summary: "Set md's global resync speed limits, in bytes per second.",
    tag: 'raid',
    access: 'admin',
    body: z.object({ minBytesPerSecond: BYTES_PER_SECOND, maxBytesPerSecond: BYTES_PER_SECOND }).strict(),
    responses: { 200: { description: 'The limits now', schema: SPEED_LIMITS } },
    handler: async ({ principal, body }) => ({ body: await hardware.setSpeedLimits(principal, body) }),
  });
  routes.add({
    method: 'delete',
    path: '/api/raid/arrays/:name',
    summary: 'Stop an array and wipe its members; its data is lost (two-step: confirmToken).',
    tag: 'raid',
    access: 'admin',
    params: ARRAY_PARAMS,
    query: CONFIRM_QUERY,
    responses: { 204: { description: 'Deleted' }, 428: CONFIRMATION_RESPONSE },
    handler: async ({ req, principal, params, query }) => {
      await hardware.deleteArray(principal, params.name, confirmTokenOf(req, query.confirmToken));
      return { status: 204 };
    },
  });
  routes.add({
    method: 'post',
    path: '/api/raid/simulation/disks',
    summary: 'Simulation only: plug in a new virtual disk (404 when RAID is real).',
    tag: 'raid',
    access: 'admin',
    body: z
      .object({
        device: DEVICE,
        sizeBytes: z.number().int().min(100_000_000).max(100_000_000_000_000).optional(),
      })
      .strict(),
    responses: { 201: { description: 'The disks now', schema: z.array(RAID_DISK) }, 404: NOT_SIMULATED },
    handler: async ({ principal, body }) => ({
      status: 201,
      body: await hardware.addSimulatedDisk(principal, body.device, body.sizeBytes),
    }),
  });
  routes.add({
    method: 'post',
    path: '/api/raid/simulation/reset',
    summary: 'Simulation only: back to md0 clean over sda + sdb (404 when RAID is real).',
    tag: 'raid',
    access: 'admin',
    responses: { 200: { description: 'The RAID state', schema: RAID_OVERVIEW }, 404: NOT_SIMULATED },
    handler: async ({ principal }) => ({ body: await hardware.resetRaidSimulation(principal) }),
  });
}

function registerSmartRoutes(routes: ApiRoutes, hardware: HardwareService): void {
  routes.add({
    method: 'get',
    path: '/api/smart',
    summary: 'The drives S.M.A.R.T. sees, each with its health summary.',
    tag: 'smart',
    access: 'user',
    responses: {
      200: {
        description: 'The drives',
        schema: z.object({ mode: MODE, devices: z.array(SMART_SUMMARY) }),
      },
    },
    handler: async () => ({ body: await hardware.smartDevices() }),
  });
  routes.add({
    method: 'get',
    path: '/api/smart/:device',
    summary: "One drive's full report: health, identity, attributes, temperature, self-test log, warnings.",
    tag: 'smart',
    access: 'user',
    params: DEVICE_PARAMS,
    responses: { 200: { description: 'The report', schema: SMART_REPORT } },
    handler: async ({ params }) => ({ body: await hardware.smartReport(params.device) }),
  });
  routes.add({
    method: 'get',
    path: '/api/smart/:device/self-tests',
    summary: "A drive's running self-test and its self-test log.",
    tag: 'smart',
    access: 'user',
    params: DEVICE_PARAMS,
    responses: { 200: { description: 'The self-test status', schema: SELF_TEST_STATUS } },
    handler: async ({ params }) => ({ body: await hardware.smartSelfTests(params.device) }),
  });
  routes.add({
    method: 'post',
    path: '/api/smart/:device/self-tests',
    summary: 'Start a self-test in the drive (short: minutes, long: hours).',
    tag: 'smart',
    access: 'admin',
    params: DEVICE_PARAMS,
    body: z.object({ type: z.enum(['short', 'long']) }).strict(),
    responses: { 202: { description: 'Started', schema: SELF_TEST_STATUS } },
    handler: async ({ principal, params, body }) => ({
      status: 202,
      body: await hardware.startSmartSelfTest(principal, params.device, body.type),
    }),
  });
  routes.add({
    method: 'post',
    path: '/api/smart/:device/simulate-failure',
    summary:
      'Simulation only: the drive starts failing (isFailing: false heals it); 404 when S.M.A.R.T. is real.',
    tag: 'smart',
    access: 'admin',
    params: DEVICE_PARAMS,
    body: z.object({ isFailing: z.boolean().default(true) }).strict(),
    responses: { 200: { description: 'The report now', schema: SMART_REPORT }, 404: NOT_SIMULATED },
    handler: async ({ principal, params, body }) => ({
      body: await hardware.simulateSmartFailure(principal, params.device, body.isFailing),
    }),
  });
}

function registerPowerRoutes(routes: ApiRoutes, hardware: HardwareService): void {
  routes.add({
    method: 'get',
    path: '/api/power',
    summary: 'CPU frequency scaling: governor, energy preference, limits per CPU, and the profiles.',
    tag: 'power',
    access: 'user',
    responses: { 200: { description: 'The power state', schema: POWER_OVERVIEW } },
    handler: async () => ({ body: await hardware.powerOverview() }),
  });
  routes.add({
    method: 'put',
    path: '/api/power/profile',
    summary: 'Apply a named profile to every CPU.',
    tag: 'power',
    access: 'admin',
    body: z.object({ name: z.enum(['powersave', 'balanced', 'performance']) }).strict(),
    responses: { 200: { description: 'The status now', schema: POWER_STATUS } },
    handler: async ({ principal, body }) => ({
      body: await hardware.applyPowerProfile(principal, body.name),
    }),
  });
  routes.add({
    method: 'put',
    path: '/api/power/governor',
    summary: 'Set the cpufreq governor of every CPU (one of availableGovernors).',
    tag: 'power',
    access: 'admin',
    body: z.object({ governor: z.string().regex(/^[a-z_]{1,32}$/, 'must be a governor name') }).strict(),
    responses: { 200: { description: 'The status now', schema: POWER_STATUS } },
    handler: async ({ principal, body }) => ({ body: await hardware.setGovernor(principal, body.governor) }),
  });
  routes.add({
    method: 'put',
    path: '/api/power/energy-performance-preference',
    summary:
      'Set the energy-performance preference of every CPU (one of availableEnergyPerformancePreferences).',
    tag: 'power',
    access: 'admin',
    body: z.object({ preference: z.string().regex(/^[a-z_]{1,32}$/, 'must be a preference name') }).strict(),
    responses: { 200: { description: 'The status now', schema: POWER_STATUS } },
    handler: async ({ principal, body }) => ({
      body: await hardware.setEnergyPerformancePreference(principal, body.preference),
    }),
  });
  routes.add({
    method: 'put',
    path: '/api/power/limits',
    summary: 'Set the min and max frequency of every CPU, in hertz (within the hardware range).',
    tag: 'power',
    access: 'admin',
    body: z.object({ minHz: HERTZ, maxHz: HERTZ }).strict(),
    responses: { 200: { description: 'The status now', schema: POWER_STATUS } },
    handler: async ({ principal, body }) => ({ body: await hardware.setFrequencyLimits(principal, body) }),
  });
}

function registerFanRoutes(routes: ApiRoutes, hardware: HardwareService): void {
  routes.add({
    method: 'get',
    path: '/api/fans',
    summary: 'Fans, temperature sensors and the stored fan curves.',
    tag: 'fans',
    access: 'user',
    responses: { 200: { description: 'The fans', schema: FANS_OVERVIEW } },
    handler: async () => ({ body: await hardware.fansOverview() }),
  });
  routes.add({
    method: 'put',
    path: '/api/fans/:id/curve',
    summary: 'Store a fan curve and put the fan under it (the id URL-encoded: hwmon0%2Ffan1).',
    tag: 'fans',
    access: 'admin',
    params: FAN_PARAMS,
    body: z.object({ curve: FAN_CURVE, input: FAN_CURVE_INPUT }).strict(),
    responses: { 200: { description: 'The curve, with its first control step', schema: FAN_CURVE_VIEW } },
    handler: async ({ principal, params, body }) => ({
      body: await hardware.setFanCurve(principal, params.id, body.curve, body.input),
    }),
  });
  routes.add({
    method: 'put',
    path: '/api/fans/:id/mode',
    summary: "auto: the chip's own control; manual: hold the current duty; curve: the stored curve again.",
    tag: 'fans',
    access: 'admin',
    params: FAN_PARAMS,
    body: z.object({ mode: z.enum(['auto', 'manual', 'curve']) }).strict(),
    responses: { 200: { description: 'The fan', schema: FAN } },
    handler: async ({ principal, params, body }) => ({
      body: await hardware.setFanMode(principal, params.id, body.mode),
    }),
  });
  routes.add({
    method: 'put',
    path: '/api/fans/:id/pwm',
    summary: 'Set a fixed duty, 0-255 (takes the fan off its curve).',
    tag: 'fans',
    access: 'admin',
    params: FAN_PARAMS,
    body: z.object({ pwm: z.number().int().min(0).max(255) }).strict(),
    responses: { 200: { description: 'The fan', schema: FAN } },
    handler: async ({ principal, params, body }) => ({
      body: await hardware.setFanPwm(principal, params.id, body.pwm),
    }),
  });
}
