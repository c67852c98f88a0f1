import { Readable } from 'node:stream';
import { deflateSync } from 'node:zlib';
import { ManualClock } from '@baluhost/drivers';
import type { Principal } from '../auth/index.js';
import type { Config } from '../config/index.js';
import { migrateLatest, openDatabase, type Db } from '../db/index.js';
import { ConflictError, isAppError } from '../errors/index.js';
import { createServices, AuditService, type Services } from '../services/index.js';
import { prepareLayout } from '../storage/layout.js';
import { TelemetryStore } from '../telemetry/index.js';

/** The demo users' password (a demo data dir is for trying BaluHost out, never for real data). */
export const DEMO_PASSWORD = 'demo-password-1';

/** The users, groups and shares the demo makes. */
export const DEMO_USERS = ['alice', 'bob', 'carol'] as const;

const DAY_MS = 86_400_000;

/**
 * A small deterministic PRNG (mulberry32): the same seed gives the same files on every machine, so two demo
 * data dirs hold byte-identical files.
 */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomBytes(seed: number, size: number): Buffer {
  const next = prng(seed);
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i++) out[i] = Math.floor(next() * 256);
  return out;
}

function text(seed: number, lines: number): Buffer {
  const words = [
    'backup',
    'photos',
    'holiday',
    'invoice',
    'garden',
    'recipe',
    'music',
    'school',
    'car',
    'tax',
  ];
  const next = prng(seed);
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const n = 4 + Math.floor(next() * 8);
    out.push(Array.from({ length: n }, () => words[Math.floor(next() * words.length)] ?? 'nas').join(' '));
  }
  return Buffer.from(`${out.join('\n')}\n`, 'utf8');
}

function csv(seed: number, rows: number): Buffer {
  const next = prng(seed);
  const out = ['date,category,amount_eur'];
  const categories = ['groceries', 'energy', 'internet', 'insurance', 'travel'];
  for (let i = 0; i < rows; i++) {
    const day = new Date(Date.UTC(2026, 0, 1) + i * DAY_MS).toISOString().slice(0, 10);
    out.push(
      `${day},${categories[Math.floor(next() * categories.length)] ?? 'other'},${(next() * 200).toFixed(2)}`,
    );
  }
  return Buffer.from(`${out.join('\n')}\n`, 'utf8');
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A width x height RGB PNG of a gradient, made in code. */
function png(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      raw[row + 1 + x * 3] = Math.floor((x / width) * 255);
      raw[row + 2 + x * 3] = Math.floor((y / height) * 180);
      raw[row + 3 + x * 3] = 200 - Math.floor((x / width) * 120);
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Who writes what where: namespace paths as the storage core sees them. */
interface DemoFile {
  readonly owner: (typeof DEMO_USERS)[number];
  readonly path: string;
  readonly content: () => Buffer;
}

const FILES: readonly DemoFile[] = [
  { owner: 'alice', path: '/home/Documents/notes.txt', content: () => text(1, 40) },
  { owner: 'alice', path: '/home/Documents/budget-2026.csv', content: () => csv(2, 120) },
  { owner: 'alice', path: '/home/Photos/sunset.png', content: () => png(64, 48) },
  {
    owner: 'alice',
    path: '/home/Backups/laptop-2026-11.img',
    content: () => randomBytes(3, 3 * 1024 * 1024),
  },
  { owner: 'bob', path: '/home/Music/playlist.txt', content: () => text(4, 25) },
  { owner: 'bob', path: '/home/Documents/car-costs.csv', content: () => csv(5, 48) },
  { owner: 'carol', path: '/home/School/essay-draft.txt', content: () => text(6, 80) },
  { owner: 'carol', path: '/home/Photos/drawing.png', content: () => png(32, 32) },
  { owner: 'alice', path: '/family/shopping-list.txt', content: () => text(7, 12) },
  { owner: 'bob', path: '/family/Holidays/plan-2027.csv', content: () => csv(8, 14) },
  { owner: 'alice', path: '/media/Movies/trailer.bin', content: () => randomBytes(9, 2 * 1024 * 1024) },
  { owner: 'alice', path: '/media/Music/album-notes.txt', content: () => text(10, 30) },
];

export interface DemoResult {
  /** The admin's password when it was generated (print it once); null when configured. */
  readonly adminPassword: string | null;
  readonly users: readonly string[];
  readonly files: number;
}

/** What the demo needs from the server: the services, and the hardware clock it drives. */
interface DemoContext {
  readonly db: Db;
  readonly services: Services;
  readonly hardwareClock: ManualClock;
  readonly now: number;
}

const SEED_PRINCIPAL: Principal = {
  userId: 0,
  username: 'demo',
  role: 'admin',
  groups: [],
  isAdmin: true,
  protocol: 'cli',
  address: null,
  reqId: null,
};

/**
 * Seeds a believable NAS into an empty data dir (no users yet): the first admin (configured or generated
 * password), alice, bob and carol (password {@link DEMO_PASSWORD}), groups family and media, shares with ACLs,
 * files written through the storage core, a quota on carol, a week of audit and telemetry history (energy
 * included, and the simulated plug's counters to match), a simulated RAID that rebuilt onto a spare, and a simulated disk (sdd) with rising reallocated
 * sectors; both simulations persist in the data dir. Deterministic: the same users, shares and files every time.
 * @throws ConflictError when the data dir already has users.
 */
export async function seedDemo(config: Config): Promise<DemoResult> {
  const { db } = openDatabase(config);
  try {
    await migrateLatest(db, config);
    // The simulations run an hour behind the wall clock, so that what they record (the rebuild, the failing disk)
    // lies in the past of the server that starts on this data dir.
    const hardwareClock = new ManualClock(Date.now() - 3_600_000);
    const services = createServices(
      db,
      config,
      'demo-does-not-sign-tokens-'.padEnd(48, 'x'),
      await prepareLayout(config.dataDir),
      Date.now,
      { clock: hardwareClock },
    );
    if ((await services.users.count()) > 0) {
      throw new ConflictError(
        `The data dir ${config.dataDir} already has users; demo data goes into an empty data dir only.`,
      );
    }
    const admin = await services.users.ensureInitialAdmin(config.adminPassword);
    const ctx: DemoContext = { db, services, hardwareClock, now: Date.now() };
    await seedAccounts(ctx);
    const files = await seedFiles(ctx);
    await seedHistory(ctx);
    await seedRaid(ctx);
    await seedSmart(ctx);
    await seedEnergy(ctx);
    return { adminPassword: admin?.generatedPassword ?? null, users: DEMO_USERS, files };
  } finally {
    await db.destroy();
  }
}

async function seedAccounts({ services }: DemoContext): Promise<void> {
  for (const username of DEMO_USERS) {
    await services.users.create(SEED_PRINCIPAL, {
      username,
      password: DEMO_PASSWORD,
      role: 'user',
      email: `${username}@example.org`,
      // carol is the one close to her quota.
      quotaBytes: username === 'carol' ? 50 * 1024 * 1024 : null,
    });
  }
  await services.groups.create(SEED_PRINCIPAL, {
    name: 'family',
    description: 'Everyone at home',
    members: ['alice', 'bob', 'carol'],
  });
  await services.groups.create(SEED_PRINCIPAL, {
    name: 'media',
    description: 'Who curates the media library',
    members: ['alice'],
  });
  await services.shares.create(SEED_PRINCIPAL, {
    name: 'family',
    description: 'Shared family documents',
    acl: [{ type: 'group', name: 'family', access: 'write' }],
  });
  await services.shares.create(SEED_PRINCIPAL, {
    name: 'media',
    description: 'Movies and music',
    quotaBytes: 500 * 1024 * 1024,
    acl: [
      { type: 'group', name: 'family', access: 'read' },
      { type: 'user', name: 'alice', access: 'write' },
    ],
  });
}

async function principalOf(services: Services, username: string): Promise<Principal> {
  const user = await services.users.findByUsername(username);
  if (!user) throw new Error(`demo user ${username} is missing`);
  const view = await services.users.get(user.id);
  return {
    userId: user.id,
    username,
    role: 'user',
    groups: view.groups,
    isAdmin: false,
    protocol: 'cli',
    address: null,
    reqId: null,
  };
}

async function seedFiles({ services }: DemoContext): Promise<number> {
  for (const file of FILES) {
    const caller = await principalOf(services, file.owner);
    const parts = file.path.split('/').filter(Boolean);
    for (let i = 2; i < parts.length; i++) {
      const dir = `/${parts.slice(0, i).join('/')}`;
      try {
        await services.storage.mkdir(caller, dir);
      } catch (err) {
        if (!(isAppError(err) && err.code === 'ALREADY_EXISTS')) throw err;
      }
    }
    const body = file.content();
    await services.storage.write(caller, file.path, Readable.from([body]), { expectedBytes: body.length });
  }
  return FILES.length;
}

async function seedHistory({ db, now }: DemoContext): Promise<void> {
  // A week of logins, uploads and admin changes, oldest first; ids then follow time.
  const next = prng(11);
  const actions: [string, string, string | null][] = [
    ['alice', 'auth.login', null],
    ['bob', 'auth.login', null],
    ['alice', 'file.write', '/home/Documents/notes.txt'],
    ['carol', 'auth.login', null],
    ['bob', 'file.write', '/family/shopping-list.txt'],
    ['admin', 'share.update', 'media'],
  ];
  for (let i = 0; i < 42; i++) {
    const at = now - 7 * DAY_MS + i * 4 * 3_600_000 + Math.floor(next() * 3_600_000);
    const [actor, action, target] = actions[i % actions.length] ?? ['admin', 'auth.login', null];
    const audit = new AuditService(db, () => at);
    const failed = action === 'auth.login' && next() < 0.15;
    await audit.recordAnonymous(
      { protocol: i % 3 === 0 ? 'webdav' : 'api', address: `192.168.1.${String(20 + (i % 5))}`, reqId: null },
      actor,
      { action, result: failed ? 'failure' : 'success', target },
    );
  }
  // A week of hourly telemetry (the energy plug's draw too) and the last two hours by the minute: a daily rhythm
  // with some noise.
  const store = new TelemetryStore(db);
  const hour = 3_600_000;
  const samples = (resolution: number, count: number) => {
    const rnd = prng(12 + count);
    const out: { metric: string; atMs: number; value: number }[] = [];
    const end = Math.floor(now / resolution) * resolution;
    for (let i = count; i >= 1; i--) {
      const atMs = end - i * resolution;
      const daily = (Math.sin(((atMs % DAY_MS) / DAY_MS) * 2 * Math.PI - Math.PI / 2) + 1) / 2;
      const cpu = 5 + daily * 35 + rnd() * 10;
      out.push(
        { metric: 'cpu.percent', atMs, value: cpu },
        // The simulated plug's draw: 18 W idle, 65 W at full load.
        { metric: 'energy.power_watts', atMs, value: Math.round((18 + (47 * cpu) / 100) * 10) / 10 },
        { metric: 'memory.used_bytes', atMs, value: Math.round((1.5 + daily + rnd() * 0.3) * 1024 ** 3) },
        { metric: 'network.rx_bytes_per_second', atMs, value: Math.round(daily * 4e6 + rnd() * 5e5) },
        { metric: 'network.tx_bytes_per_second', atMs, value: Math.round(daily * 1.5e6 + rnd() * 2e5) },
        { metric: 'disk.read_bytes_per_second', atMs, value: Math.round(daily * 2e7 + rnd() * 1e6) },
        { metric: 'disk.write_bytes_per_second', atMs, value: Math.round(daily * 8e6 + rnd() * 1e6) },
      );
    }
    return out;
  };
  await store.insert('hour', samples(hour, 7 * 24));
  await store.insert('minute', samples(60_000, 120));
}

/** md0 lost sdb, rebuilt onto the spare sdc, and is clean again; the simulation's clock runs the rebuild. */
async function seedRaid({ services, hardwareClock }: DemoContext): Promise<void> {
  const hw = services.hardware;
  if (hw.modes.raid !== 'simulated') return;
  const confirmed = async <T>(step: (token: string | undefined) => Promise<T>): Promise<T> => {
    try {
      return await step(undefined);
    } catch (err) {
      const token = (err as { details?: { confirmToken?: unknown } }).details?.confirmToken;
      if (!(isAppError(err) && err.code === 'CONFIRMATION_REQUIRED') || typeof token !== 'string') throw err;
      return step(token);
    }
  };
  await hw.resetRaidSimulation(SEED_PRINCIPAL);
  await confirmed((token) => hw.failMember(SEED_PRINCIPAL, 'md0', 'sdb', token));
  await confirmed((token) => hw.addSpare(SEED_PRINCIPAL, 'md0', 'sdc', token));
  // One 5 GB disk takes the simulation about a minute to rebuild.
  hardwareClock.advance(5 * 60_000);
  await hw.raidOverview();
}

/**
 * The simulated plug's counters agree with the seeded history: today's energy is the hours of today so far, the
 * month's the week's mean draw over the days of the month so far.
 */
async function seedEnergy({ db, services, now }: DemoContext): Promise<void> {
  if (services.energy.mode !== 'simulated') return;
  const hour = 3_600_000;
  const points = await new TelemetryStore(db).points('energy.power_watts', 'hour', now - 7 * DAY_MS, now);
  if (points.length === 0) return;
  const midnight = Math.floor(now / DAY_MS) * DAY_MS;
  const date = new Date(now);
  const monthStart = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  const todayWh = points.filter((p) => p.atMs >= midnight).reduce((sum, p) => sum + p.value, 0);
  const meanWatts = points.reduce((sum, p) => sum + p.value, 0) / points.length;
  const monthWh = Math.max(todayWh, (meanWatts * (now - monthStart)) / hour);
  await services.energy.setSimulatedCounters(SEED_PRINCIPAL, todayWh, monthWh);
}

/**
 * /dev/sdd starts failing: reallocated sectors that rise every minute. The simulated S.M.A.R.T. state persists
 * under `<data dir>/hardware`, so every later start of the server shows it.
 */
async function seedSmart({ services }: DemoContext): Promise<void> {
  if (services.hardware.modes.smart !== 'simulated') return;
  await services.hardware.simulateSmartFailure(SEED_PRINCIPAL, 'sdd', true);
}
