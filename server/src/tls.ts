import path from 'node:path';
import os from 'node:os';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { chmod, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { Config } from './config/index.js';

const run = promisify(execFile);

export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly source: string;
}

export function tlsPaths(dataDir: string): { cert: string; key: string } {
  return { cert: path.join(dataDir, 'keys', 'tls-cert.pem'), key: path.join(dataDir, 'keys', 'tls-key.pem') };
}

/** The certificate to serve HTTPS with: the configured files, else a generated one in the data dir, else none. */
export async function loadTls(config: Config): Promise<TlsMaterial | null> {
  if (config.tlsCertFile !== undefined || config.tlsKeyFile !== undefined) {
    if (config.tlsCertFile === undefined || config.tlsKeyFile === undefined) {
      throw new Error('Set both BALUHOST_TLS_CERT and BALUHOST_TLS_KEY, or neither.');
    }
    return {
      cert: await readFile(config.tlsCertFile),
      key: await readFile(config.tlsKeyFile),
      source: config.tlsCertFile,
    };
  }
  const generated = tlsPaths(config.dataDir);
  try {
    return {
      cert: await readFile(generated.cert),
      key: await readFile(generated.key),
      source: generated.cert,
    };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** This host's names and addresses, for a certificate's subjectAltName. */
export function localNames(): { dns: string[]; ips: string[] } {
  const dns = new Set(['localhost', os.hostname()]);
  if (!os.hostname().includes('.')) dns.add(`${os.hostname()}.local`);
  const ips = new Set(['127.0.0.1', '::1']);
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) ips.add(a.address.split('%')[0] ?? a.address);
  }
  return { dns: [...dns], ips: [...ips] };
}

/**
 * Generates a self-signed certificate (ECDSA P-256, 825 days, the limit Apple's clients accept) for the given
 * names and addresses into <data dir>/keys, with openssl. Windows sends Basic credentials to WebDAV only over
 * HTTPS by default, so this is what lets Explorer map the drive without a registry change.
 */
export async function generateSelfSigned(
  dataDir: string,
  names: { dns: string[]; ips: string[] },
): Promise<{ cert: string; key: string }> {
  const target = tlsPaths(dataDir);
  await mkdir(path.dirname(target.cert), { recursive: true, mode: 0o700 });
  const tmpKey = `${target.key}.new`;
  const tmpCert = `${target.cert}.new`;
  const san = [
    ...names.dns.map((d) => `DNS:${d}`),
    ...names.ips.filter((ip) => isIP(ip) !== 0).map((ip) => `IP:${ip}`),
  ].join(',');
  try {
    await run(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-sha256',
        '-days',
        '825',
        '-subj',
        `/CN=${names.dns[1] ?? names.dns[0] ?? 'baluhost'}/O=BaluHost`,
        '-addext',
        `subjectAltName=${san}`,
        '-addext',
        'extendedKeyUsage=serverAuth',
        '-keyout',
        tmpKey,
        '-out',
        tmpCert,
      ],
      { timeout: 30_000 },
    );
  } catch (err) {
    await rm(tmpKey, { force: true });
    await rm(tmpCert, { force: true });
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error(
        'openssl is not installed; install it (apt-get install openssl) or configure BALUHOST_TLS_CERT and BALUHOST_TLS_KEY.',
      );
    throw err;
  }
  await chmod(tmpKey, 0o600);
  await rename(tmpKey, target.key);
  await rename(tmpCert, target.cert);
  return target;
}
