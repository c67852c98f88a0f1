import type { Role } from '../db/models.js';

export type Protocol = 'api' | 'webdav' | 'smb' | 'cli' | 'system';

/** Who is asking, through which protocol, from where: passed to every service and to the storage core. */
export interface Principal {
  readonly userId: number;
  readonly username: string;
  readonly role: Role;
  readonly groups: readonly string[];
  readonly isAdmin: boolean;
  readonly protocol: Protocol;
  readonly address: string | null;
  readonly reqId: string | null;
}

/** Where a request comes from, for the audit log and the failed-login tracker. */
export interface RequestOrigin {
  readonly protocol: Protocol;
  readonly address: string | null;
  readonly reqId: string | null;
  readonly userAgent?: string | null;
}

export const SYSTEM_ORIGIN: RequestOrigin = { protocol: 'system', address: null, reqId: null };
