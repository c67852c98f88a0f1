import os from 'node:os';
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
 * Files, KDE Dolphin and avahi-browse list it. Runs in one process (the control worker with several workers).
 * Returns null when switched off.
 */
export async function startDiscovery(
  config: Config,
  services: Pick<Services, 'smb'>,
  ports: { readonly port: number; readonly tlsPort: number | null },
  logger: Logger,
): Promise<Discovery | null> {
  if (!config.mdns) return null;
  const name = config.mdnsName ?? os.hostname();
  const bonjour = new Bonjour({}, (err: unknown) => {
    logger.warn({ err }, 'mDNS socket error');
  });
  let published: { ad: Advertisement; service: Service }[] = [];
  let isClosed = false;

  const smbState = async () => {
    const settings = await services.smb.settings.get();
    return { enabled: settings.enabled, port: settings.port };
  };
  const key = (ad: Advertisement) => `${ad.type}:${ad.port}:${JSON.stringify(ad.txt)}`;
  const apply = (wanted: Advertisement[]) => {
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
  apply(advertisementsFor(httpPorts, await smbState()));

  const recheck = setInterval(() => {
    smbState().then(
      (smb) => {
        if (isClosed) return;
        const wanted = advertisementsFor(httpPorts, smb);
        const now = published.map((p) => key(p.ad)).sort();
        if (JSON.stringify(wanted.map(key).sort()) !== JSON.stringify(now)) apply(wanted);
      },
      (err: unknown) => {
        logger.warn({ err }, 'mDNS: reading the SMB settings failed');
      },
    );
  }, SMB_RECHECK_MS);
  recheck.unref();

  return {
    advertisements: () => published.map((p) => p.ad),
    close: () =>
      new Promise<void>((resolve) => {
        if (isClosed) {
          resolve();
          return;
        }
        isClosed = true;
        clearInterval(recheck);
        bonjour.unpublishAll(() => {
          bonjour.destroy(() => {
            resolve();
          });
        });
      }),
  };
}
