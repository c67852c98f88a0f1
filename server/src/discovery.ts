import os from 'node:os';
import { existsSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Bonjour, type Service } from 'bonjour-service';
import type { Config } from './config/index.js';
import type { Logger } from './logging/logger.js';
import type { Services } from './services/index.js';

/** One DNS-SD service this server announces. */
export interface Advertisement {
  /** DNS-SD type without the leading underscore and protocol: `webdav`, `webdavs`, `smb`, `http`. */
  readonly type: string;
  readonly port: number;
  readonly txt: Readonly<Record<string, string>>;
}

/** LAN discovery while the server runs; see {@link startDiscovery}. */
export interface Discovery {
  /** What is announced now. */
  advertisements(): readonly Advertisement[];
  /** Says goodbye (TTL 0 records) and closes the mDNS socket. */
  close(): Promise<void>;
}

/** Where Debian's wsdd package puts the daemon. */
const WSDD_PATHS = ['/usr/sbin/wsdd', '/usr/bin/wsdd'];

/**
 * wsdd (WS-Discovery, for Windows' Network view) run as BaluHost's child while SMB is on: with SMB's workgroup, on
 * SMB's interfaces, under the announced name. Started again after an exit (1 s, doubling up to 60 s).
 */
class WsddSupervisor {
  private child: ChildProcess | null = null;
  private args: string[] | null = null;
  private delayMs = 1_000;
  private timer: NodeJS.Timeout | null = null;
  private readonly binary = WSDD_PATHS.find((p) => existsSync(p)) ?? null;

  constructor(
    private readonly name: string,
    private readonly logger: Logger,
  ) {
    if (this.binary === null)
      logger.warn({ looked: WSDD_PATHS }, 'BALUHOST_WSDD is on but wsdd is not installed');
  }

  /** Runs wsdd for these SMB settings, or stops it when SMB is off; a change of settings restarts it. */
  async follow(smb: {
    readonly enabled: boolean;
    readonly workgroup: string;
    readonly interfaces: readonly string[];
  }) {
    const args = smb.enabled
      ? [
          '--shortlog',
          '--hostname',
          this.name,
          '--workgroup',
          smb.workgroup,
          ...smb.interfaces.flatMap((i) => ['--interface', i]),
        ]
      : null;
    if (JSON.stringify(args) === JSON.stringify(this.args)) return;
    await this.stop();
    this.args = args;
    if (args !== null) this.start();
  }

  async stop(): Promise<void> {
    this.args = null;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const child = this.child;
    this.child = null;
    if (child !== null && child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
  }

  private start(): void {
    if (this.binary === null || this.args === null) return;
    const args = this.args;
    const child = spawn(this.binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    let tail = '';
    child.stderr.on('data', (chunk: Buffer) => {
      tail = (tail + chunk.toString('utf8')).slice(-2_000);
    });
    child.once('spawn', () => {
      this.logger.info({ pid: child.pid, args }, 'wsdd started');
    });
    child.once('error', (err) => {
      this.logger.warn({ err }, 'wsdd could not be started');
    });
    child.once('exit', (code, signal) => {
      if (this.child !== child) return;
      this.child = null;
      this.logger.warn({ code, signal, stderr: tail.trim(), restartInMs: this.delayMs }, 'wsdd exited');
      this.timer = setTimeout(() => {
        this.timer = null;
        if (this.args === args) this.start();
      }, this.delayMs);
      this.timer.unref();
      this.delayMs = Math.min(60_000, this.delayMs * 2);
    });
  }
}

/** How often the SMB settings are read again, to announce or withdraw `_smb._tcp` after a change. */
const SMB_RECHECK_MS = 30_000;

/**
 * What to announce: WebDAV (`_webdav._tcp`, path=/dav/), WebDAV over TLS when HTTPS is served (`_webdavs._tcp`),
 * the console (`_http._tcp`, path=/), and SMB (`_smb._tcp`) while Samba is switched on.
 */
export function advertisementsFor(
  ports: { readonly http: number; readonly https: number | null },
  smb: { readonly enabled: boolean; readonly port: number },
): Advertisement[] {
  const out: Advertisement[] = [
    { type: 'webdav', port: ports.http, txt: { path: '/dav/' } },
    { type: 'http', port: ports.http, txt: { path: '/' } },
  ];
  if (ports.https !== null) out.push({ type: 'webdavs', port: ports.https, txt: { path: '/dav/' } });
  if (smb.enabled) out.push({ type: 'smb', port: smb.port, txt: {} });
  return out;
}

/**
 * Announces the server on the LAN with mDNS/DNS-SD (RFC 6762/6763) when BALUHOST_MDNS is on: macOS Finder, GNOME
 * Files, KDE Dolphin and avahi-browse list it. With BALUHOST_WSDD it also runs wsdd while SMB is on, for Windows.
 * Runs in one process (the control worker with several workers). Returns null when both are off.
 */
export async function startDiscovery(
  config: Config,
  services: Pick<Services, 'smb'>,
  ports: { readonly port: number; readonly tlsPort: number | null },
  logger: Logger,
): Promise<Discovery | null> {
  if (!config.mdns && !config.wsdd) return null;
  const name = config.mdnsName ?? os.hostname();
  const bonjour = config.mdns
    ? new Bonjour({}, (err: unknown) => {
        logger.warn({ err }, 'mDNS socket error');
      })
    : null;
  const wsdd = config.wsdd ? new WsddSupervisor(name, logger) : null;
  let published: { ad: Advertisement; service: Service }[] = [];
  let isClosed = false;

  const smbState = () => services.smb.settings.get();
  const key = (ad: Advertisement) => `${ad.type}:${ad.port}:${JSON.stringify(ad.txt)}`;
  const apply = (wanted: Advertisement[]) => {
    if (bonjour === null) return;
    const keep = new Set(wanted.map(key));
    for (const p of published.filter((p) => !keep.has(key(p.ad)))) (p.service.stop as () => void)();
    published = published.filter((p) => keep.has(key(p.ad)));
    const have = new Set(published.map((p) => key(p.ad)));
    for (const ad of wanted.filter((a) => !have.has(key(a)))) {
      const service = bonjour.publish({ name, type: ad.type, port: ad.port, txt: { ...ad.txt } });
      service.on('error', (err: unknown) => {
        logger.warn({ err, type: ad.type }, 'mDNS announcement failed');
      });
      published.push({ ad, service });
    }
    logger.info(
      { name, services: published.map((p) => `_${p.ad.type}._tcp:${p.ad.port}`) },
      'announced on the LAN',
    );
  };
  const httpPorts = { http: ports.port, https: ports.tlsPort };
  const first = await smbState();
  apply(advertisementsFor(httpPorts, first));
  await wsdd?.follow(first);

  const recheck = setInterval(() => {
    smbState()
      .then((smb) => {
        if (isClosed) return;
        const wanted = advertisementsFor(httpPorts, smb);
        const now = published.map((p) => key(p.ad)).sort();
        if (JSON.stringify(wanted.map(key).sort()) !== JSON.stringify(now)) apply(wanted);
        return wsdd?.follow(smb);
      })
      .catch((err: unknown) => {
        logger.warn({ err }, 'discovery: following the SMB settings failed');
      });
  }, SMB_RECHECK_MS);
  recheck.unref();

  return {
    advertisements: () => published.map((p) => p.ad),
    close: async () => {
      if (isClosed) return;
      isClosed = true;
      clearInterval(recheck);
      await wsdd?.stop();
      if (bonjour === null) return;
      await new Promise<void>((resolve) => {
        bonjour.unpublishAll(() => {
          bonjour.destroy(() => {
            resolve();
          });
        });
      });
    },
  };
}
