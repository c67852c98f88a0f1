import path from 'node:path';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseCidr } from '../metrics/metrics-access.js';

/**
 * BaluHost's configuration, parsed once at boot from the environment, validated, then deep-frozen.
 * Only this module reads `process.env`.
 */
export interface Config {
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  readonly adminPassword: string | undefined;
  readonly jwtSecret: string | undefined;
  readonly databaseUrl: string | undefined;
  readonly databaseSchema: string | undefined;
  readonly logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  readonly passwordMinLength: number;
  readonly corsOrigins: readonly string[];
  readonly jsonBodyLimitBytes: number;
  readonly trustProxy: boolean;
  readonly authRateLimitPerMinute: number;
  readonly loginMaxFailures: number;
  readonly loginWindowSeconds: number;
  readonly loginBlockSeconds: number;
  readonly addressMaxFailures: number;
  readonly tlsPort: number;
  readonly tlsCertFile: string | undefined;
  readonly tlsKeyFile: string | undefined;
  /** Backend of every hardware family (`simulated` or `real`)... */
  readonly hardwareMode: HardwareMode;
  /** ...unless overridden per family (undefined: follow `hardwareMode`). */
  readonly hardwareRaidMode: HardwareMode | undefined;
  readonly hardwareSmartMode: HardwareMode | undefined;
  readonly hardwarePowerMode: HardwareMode | undefined;
  readonly hardwareFansMode: HardwareMode | undefined;
  readonly hardwareTelemetryMode: HardwareMode | undefined;
  /** Energy meter backend: simulated plug or real (a Tapo P110/P115 set up through PUT /api/energy/settings). */
  readonly hardwareEnergyMode: HardwareMode | undefined;
  /** Electricity price per kWh, in `energyCurrency`, until PUT /api/energy/settings stores another. */
  readonly energyPricePerKwh: number;
  /** ISO 4217 code of the price (EUR, CHF, USD...). */
  readonly energyCurrency: string;
  /** Bearer token Prometheus scrapes /api/metrics with; none when absent (then only the allowlist). */
  readonly metricsToken: string | undefined;
  /** CIDRs that may scrape /api/metrics without the token. */
  readonly metricsAllow: readonly string[];
  /** Seconds between telemetry history samples; 0 disables sampling. */
  readonly telemetryIntervalSeconds: number;
  /** A disk hotter than this raises an alert, in °C. */
  readonly alertDiskTemperatureCelsius: number;
  /** A filesystem or quota this full raises an alert, in percent. */
  readonly alertFullPercent: number;
  /** Run Samba (smbd) for SMB clients; the admin API's setting overrides it. */
  readonly smbEnabled: boolean;
  readonly smbPort: number;
  /** Interface names or addresses smbd binds. */
  readonly smbInterfaces: readonly string[];
  /** Unix uid of BaluHost user 0; user N gets uid `smbUidMin + N`, and the SMB group gid `smbUidMin`. */
  readonly smbUidMin: number;
  /** Unix accounts for Samba from private passwd/group files through nss_wrapper instead of system accounts. */
  readonly smbNssWrapper: boolean;
  /** How long `close()` waits for requests in flight (uploads) before destroying their connections, in seconds. */
  readonly shutdownTimeoutSeconds: number;
  /** Which written files are flushed to disk before they take their name (BALUHOST_FSYNC). */
  readonly fsync: FlushPolicy;
  /** Worker processes of `baluhost serve` (node:cluster); `--workers` overrides it. */
  readonly workers: number;
  /** Announce the server on the LAN with mDNS/DNS-SD. */
  readonly mdns: boolean;
  /** The instance name announced; the host name when absent. */
  readonly mdnsName: string | undefined;
  /** Run wsdd (WS-Discovery) while SMB is on, for Windows' Network view. */
  readonly wsdd: boolean;
}

/**
 * Which files the storage core flushes to disk (fsync) before they take their name: `replace`, those that replace
 * a file or folder that was there; `always`, every file it writes; `never`, none.
 */
export type FlushPolicy = 'always' | 'replace' | 'never';

/** Which backend a hardware family uses. */
export type HardwareMode = 'simulated' | 'real';

type Key = keyof Config;

interface VarSpec {
  readonly key: Key;
  readonly doc: string;
  readonly secret?: boolean;
  /** Default as the raw string the variable would hold; absent means the value is optional. */
  readonly default?: string;
  readonly schema: z.ZodType;
}

const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
const bool = z
  .enum(['true', 'false', '1', '0'], 'must be true or false')
  .transform((v) => v === 'true' || v === '1');
const nonEmpty = z.string().min(1, 'must not be empty');
const hardwareMode = z.enum(['simulated', 'real'], 'must be simulated or real');

/** Every variable BaluHost reads, with its doc; `baluhost serve --help` and README list these. */
export const CONFIG_VARIABLES: Readonly<Record<string, VarSpec>> = {
  BALUHOST_DATA_DIR: {
    key: 'dataDir',
    doc: 'Data root: user files, uploads in flight, the SQLite database, keys.',
    default: './data',
    schema: nonEmpty,
  },
  BALUHOST_FSYNC: {
    key: 'fsync',
    doc: "Which files are flushed to disk (fsync) before they take their name and the request is answered. replace: a file that replaces one that was there (an upload over a file, a MOVE or COPY over a file or folder), so that a power cut never trades the old version for an empty or torn new one; a new file is left to the kernel's writeback, as Apache, nginx, rclone and Samba leave every file (after a power cut in the seconds after its upload it can be missing, empty or short). always: every uploaded or copied file as well (then missing, never empty or short); each upload waits for the disk, 0.2-0.4 ms on an SSD and 5-20 ms on a hard disk. never: none. Writes are atomic against a crashed or killed server in every mode (a temporary file renamed into place); the rename reaches the disk with the file system's next commit (within 5 s on ext4). true and false are taken for always and never.",
    default: 'replace',
    schema: z
      .enum(
        ['replace', 'always', 'never', 'true', 'false', '1', '0'],
        'must be replace, always or never (true and false mean always and never)',
      )
      .transform((v): FlushPolicy =>
        v === 'true' || v === '1' ? 'always' : v === 'false' || v === '0' ? 'never' : v,
      ),
  },
  BALUHOST_HOST: { key: 'host', doc: 'Address to listen on.', default: '127.0.0.1', schema: nonEmpty },
  PORT: { key: 'port', doc: 'HTTP port (0 picks a free one).', default: '8080', schema: int(0, 65535) },
  BALUHOST_ADMIN_PASSWORD: {
    key: 'adminPassword',
    doc: 'Password of the first admin, created on first start; generated and printed once when absent.',
    secret: true,
    schema: nonEmpty,
  },
  BALUHOST_JWT_SECRET: {
    key: 'jwtSecret',
    doc: 'HS256 key for access tokens; generated into <data dir>/keys/jwt-secret (mode 0600) when absent.',
    secret: true,
    schema: z.string().min(32, 'must be at least 32 characters'),
  },
  DATABASE_URL: {
    key: 'databaseUrl',
    doc: 'PostgreSQL connection URL (postgres://user:pass@host:port/db); SQLite in the data dir when absent.',
    secret: true,
    schema: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL'),
  },
  BALUHOST_DATABASE_SCHEMA: {
    key: 'databaseSchema',
    doc: 'PostgreSQL schema to use (created when missing); the database default when absent.',
    schema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier'),
  },
  BALUHOST_LOG_LEVEL: {
    key: 'logLevel',
    doc: 'trace, debug, info, warn, error or fatal.',
    default: 'info',
    schema: z.enum(
      ['trace', 'debug', 'info', 'warn', 'error', 'fatal'],
      'must be one of trace, debug, info, warn, error, fatal',
    ),
  },
  BALUHOST_ACCESS_TOKEN_TTL: {
    key: 'accessTokenTtlSeconds',
    doc: 'Lifetime of an API access token, in seconds.',
    default: '900',
    schema: int(10, 86_400),
  },
  BALUHOST_REFRESH_TOKEN_TTL: {
    key: 'refreshTokenTtlSeconds',
    doc: 'Lifetime of a refresh token, in seconds.',
    default: String(30 * 86_400),
    schema: int(60, 365 * 86_400),
  },
  BALUHOST_PASSWORD_MIN_LENGTH: {
    key: 'passwordMinLength',
    doc: 'Minimum length of a password.',
    default: '8',
    schema: int(6, 128),
  },
  BALUHOST_CORS_ORIGINS: {
    key: 'corsOrigins',
    doc: 'Comma-separated origins allowed to call the API from a browser; none when empty.',
    default: '',
    schema: z
      .string()
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s.length > 0),
      )
      .pipe(
        z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'each origin must look like https://host[:port]')),
      ),
  },
  BALUHOST_JSON_BODY_LIMIT: {
    key: 'jsonBodyLimitBytes',
    doc: 'Largest JSON request body the API accepts, in bytes.',
    default: String(1024 * 1024),
    schema: int(1024, 64 * 1024 * 1024),
  },
  BALUHOST_TRUST_PROXY: {
    key: 'trustProxy',
    doc: 'Trust X-Forwarded-For from a reverse proxy on loopback (nginx in front).',
    default: 'false',
    schema: bool,
  },
  BALUHOST_AUTH_RATE_LIMIT: {
    key: 'authRateLimitPerMinute',
    doc: 'Requests per minute one address may make to /api/auth routes.',
    default: '60',
    schema: int(1, 100_000),
  },
  BALUHOST_LOGIN_MAX_FAILURES: {
    key: 'loginMaxFailures',
    doc: 'Failed logins for one username within the window before it is blocked.',
    default: '10',
    schema: int(1, 10_000),
  },
  BALUHOST_LOGIN_WINDOW: {
    key: 'loginWindowSeconds',
    doc: 'Window in which failed logins are counted, in seconds.',
    default: '60',
    schema: int(1, 86_400),
  },
  BALUHOST_LOGIN_BLOCK: {
    key: 'loginBlockSeconds',
    doc: 'How long a username or address stays blocked, in seconds.',
    default: '300',
    schema: int(1, 7 * 86_400),
  },
  BALUHOST_TLS_PORT: {
    key: 'tlsPort',
    doc: 'HTTPS port, served when a certificate is configured or generated (baluhost tls selfsigned).',
    default: '8443',
    schema: int(0, 65535),
  },
  BALUHOST_TLS_CERT: {
    key: 'tlsCertFile',
    doc: 'PEM certificate (chain) for HTTPS; <data dir>/keys/tls-cert.pem when absent and present.',
    schema: nonEmpty,
  },
  BALUHOST_TLS_KEY: {
    key: 'tlsKeyFile',
    doc: 'PEM private key for HTTPS; <data dir>/keys/tls-key.pem when absent and present.',
    schema: nonEmpty,
  },
  BALUHOST_ADDRESS_MAX_FAILURES: {
    key: 'addressMaxFailures',
    doc: 'Failed logins from one address (any usernames) within the window before it is banned.',
    default: '30',
    schema: int(1, 100_000),
  },
  BALUHOST_HARDWARE: {
    key: 'hardwareMode',
    doc: 'Hardware backend of every family: simulated (a virtual NAS, safe anywhere) or real.',
    default: 'simulated',
    schema: hardwareMode,
  },
  BALUHOST_HARDWARE__RAID: {
    key: 'hardwareRaidMode',
    doc: 'RAID backend (simulated, or real: mdadm); BALUHOST_HARDWARE when absent.',
    schema: hardwareMode,
  },
  BALUHOST_HARDWARE__SMART: {
    key: 'hardwareSmartMode',
    doc: 'S.M.A.R.T. backend (simulated, or real: smartctl); BALUHOST_HARDWARE when absent.',
    schema: hardwareMode,
  },
  BALUHOST_HARDWARE__POWER: {
    key: 'hardwarePowerMode',
    doc: 'CPU power backend (simulated, or real: cpufreq sysfs); BALUHOST_HARDWARE when absent.',
    schema: hardwareMode,
  },
  BALUHOST_HARDWARE__FANS: {
    key: 'hardwareFansMode',
    doc: 'Fan backend (simulated, or real: hwmon sysfs); BALUHOST_HARDWARE when absent.',
    schema: hardwareMode,
  },
  BALUHOST_HARDWARE__TELEMETRY: {
    key: 'hardwareTelemetryMode',
    doc: 'Telemetry backend; both modes read the real host. BALUHOST_HARDWARE when absent.',
    schema: hardwareMode,
  },
  BALUHOST_HARDWARE__ENERGY: {
    key: 'hardwareEnergyMode',
    doc: 'Energy meter backend (simulated plug, or real: a Tapo P110/P115 set in the console); BALUHOST_HARDWARE when absent.',
    schema: hardwareMode,
  },
  BALUHOST_ENERGY_PRICE: {
    key: 'energyPricePerKwh',
    doc: 'Electricity price per kWh (e.g. 0.32) until the console stores another.',
    default: '0.30',
    schema: z
      .string()
      .regex(/^\d{1,4}(\.\d{1,6})?$/, 'must be a decimal number such as 0.32')
      .transform(Number),
  },
  BALUHOST_ENERGY_CURRENCY: {
    key: 'energyCurrency',
    doc: 'ISO 4217 currency code of the price (EUR, CHF, USD...).',
    default: 'EUR',
    schema: z.string().regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 code such as EUR'),
  },
  BALUHOST_SMB_ENABLED: {
    key: 'smbEnabled',
    doc: 'Run Samba (smbd, supervised by BaluHost) for SMB clients; PUT /api/smb overrides it.',
    default: 'false',
    schema: bool,
  },
  BALUHOST_SMB_PORT: {
    key: 'smbPort',
    doc: 'TCP port smbd listens on; 445 in production (needs root or CAP_NET_BIND_SERVICE).',
    default: '4445',
    schema: int(1, 65535),
  },
  BALUHOST_SMB_INTERFACES: {
    key: 'smbInterfaces',
    doc: 'Comma-separated interfaces or addresses smbd binds (e.g. lo,eth0 or 192.168.1.10/24).',
    default: 'lo',
    schema: z
      .string()
      .transform((v) =>
        v
          .split(/[,\s]+/)
          .map((s) => s.trim())
          .filter((s) => s.length > 0),
      )
      .pipe(
        z
          .array(z.string().regex(/^[A-Za-z0-9_.:/-]+$/, 'each interface must be a name or an address'))
          .min(1, 'must name at least one interface'),
      ),
  },
  BALUHOST_SMB_UID_MIN: {
    key: 'smbUidMin',
    doc: 'Unix uid base for SMB accounts: user N gets uid BASE+N, the SMB group gid BASE.',
    default: '60000',
    schema: int(1000, 2_000_000_000),
  },
  BALUHOST_SMB_NSS_WRAPPER: {
    key: 'smbNssWrapper',
    doc: 'Give Samba its Unix accounts from private passwd/group files via libnss-wrapper instead of useradd.',
    default: 'false',
    schema: bool,
  },
  BALUHOST_METRICS_TOKEN: {
    key: 'metricsToken',
    doc: 'Bearer token for scraping /api/metrics (Prometheus bearer_token_file); none when absent.',
    secret: true,
    schema: z.string().min(16, 'must be at least 16 characters'),
  },
  BALUHOST_METRICS_ALLOW: {
    key: 'metricsAllow',
    doc: 'Comma-separated CIDRs that may scrape /api/metrics without the token; none when empty.',
    default: '127.0.0.1/32,::1/128',
    schema: z
      .string()
      .transform((v) =>
        v
          .split(',')
          .map((x) => x.trim())
          .filter((x) => x.length > 0),
      )
      .pipe(
        z.array(
          z
            .string()
            .refine((x) => parseCidr(x) !== null, 'each entry must be a CIDR such as 10.0.0.0/8 or ::1/128'),
        ),
      ),
  },
  BALUHOST_TELEMETRY_INTERVAL: {
    key: 'telemetryIntervalSeconds',
    doc: 'Seconds between telemetry history samples (CPU, memory, network, disk I/O); 0 disables.',
    default: '10',
    schema: int(0, 3600),
  },
  BALUHOST_ALERT_DISK_TEMPERATURE: {
    key: 'alertDiskTemperatureCelsius',
    doc: 'Disk temperature (°C) above which an alert is raised.',
    default: '55',
    schema: int(20, 120),
  },
  BALUHOST_ALERT_FULL_PERCENT: {
    key: 'alertFullPercent',
    doc: 'Filesystem or quota use (percent) from which an alert is raised.',
    default: '90',
    schema: int(1, 100),
  },
  BALUHOST_SHUTDOWN_TIMEOUT: {
    key: 'shutdownTimeoutSeconds',
    doc: 'On SIGTERM, seconds to let requests in flight (uploads) finish before their connections are cut.',
    default: '30',
    schema: int(0, 3600),
  },
  BALUHOST_WORKERS: {
    key: 'workers',
    doc: 'Worker processes of baluhost serve (node:cluster), all on one database; --workers overrides it.',
    default: '1',
    schema: int(1, 64),
  },
  BALUHOST_MDNS: {
    key: 'mdns',
    doc: 'Announce WebDAV, the console and SMB on the LAN with mDNS/DNS-SD (Finder, GNOME Files, avahi-browse).',
    default: 'false',
    schema: bool,
  },
  BALUHOST_MDNS_NAME: {
    key: 'mdnsName',
    doc: 'Instance name announced over mDNS; the host name when absent.',
    schema: nonEmpty.max(63, 'must be at most 63 characters'),
  },
  BALUHOST_WSDD: {
    key: 'wsdd',
    doc: "Run wsdd (Debian's wsdd package) while SMB is on, so that Windows' Network view lists the server.",
    default: 'false',
    schema: bool,
  },
};

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`The configuration is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/**
 * Parses and validates the configuration from an environment map.
 * @throws ConfigError listing every problem at once.
 */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
  cwd = process.cwd(),
): Config {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};

  for (const name of Object.keys(env)) {
    if (!name.startsWith('BALUHOST_')) continue;
    const base = name.endsWith('_FILE') ? name.slice(0, -'_FILE'.length) : name;
    const spec = CONFIG_VARIABLES[base];
    if (!spec || (base !== name && !spec.secret)) problems.push(`${name}: unknown variable`);
  }

  for (const [name, spec] of Object.entries(CONFIG_VARIABLES)) {
    let raw = env[name];
    const fileName = env[`${name}_FILE`];
    if (spec.secret && fileName !== undefined) {
      if (raw !== undefined) {
        problems.push(`${name} and ${name}_FILE: set only one of them`);
        continue;
      }
      try {
        raw = readFileSync(fileName, 'utf8').trim();
      } catch (err) {
        problems.push(
          `${name}_FILE: cannot read ${fileName} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
        );
        continue;
      }
    }
    raw ??= spec.default;
    if (raw === undefined) {
      out[spec.key] = undefined;
      continue;
    }
    const parsed = spec.schema.safeParse(raw);
    if (parsed.success) {
      out[spec.key] = parsed.data;
    } else {
      const shown = spec.secret ? '' : ` (got '${raw}')`;
      const messages = parsed.error.issues.map((i) => i.message).join('; ');
      problems.push(`${name}: ${messages}${shown}`);
    }
  }

  if (problems.length > 0) throw new ConfigError(problems);
  out['dataDir'] = path.resolve(cwd, out['dataDir'] as string);
  return deepFreeze(out as unknown as Config);
}

/** Builds a config for code paths that don't come from the environment (tests, the CLI), still validated. */
export function configFrom(
  values: Readonly<Record<string, string | undefined>>,
  cwd = process.cwd(),
): Config {
  return loadConfig(values, cwd);
}

/** The effective config for the log: secrets replaced, a database URL's password hidden. */
export function redactConfig(config: Config): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const secretKeys = new Set(
    Object.values(CONFIG_VARIABLES)
      .filter((s) => s.secret)
      .map((s) => s.key),
  );
  for (const [key, value] of Object.entries(config)) {
    if (key === 'databaseUrl' && typeof value === 'string') {
      out[key] = value.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:[redacted]@');
    } else if (secretKeys.has(key as Key) && value !== undefined) {
      out[key] = '[redacted]';
    } else {
      out[key] = value;
    }
  }
  return out;
}
