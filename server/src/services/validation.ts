import { z } from 'zod';

/** Usernames are valid Unix account names too, since the SMB gateway needs one per user. */
export const USERNAME = z
  .string()
  .min(1, 'must not be empty')
  .max(32, 'must be at most 32 characters')
  .regex(
    /^[a-z_][a-z0-9_.-]*$/,
    'must start with a lower-case letter or _ and use only a-z, 0-9, _, . and -',
  );

export const RESERVED_USERNAMES = new Set(['root', 'daemon', 'bin', 'sys', 'nobody', 'www-data', 'postgres']);

/** Groups (and shares) follow the same rule: they become Samba and Unix names too. */
export const GROUP_NAME = USERNAME;

export const ROLE = z.enum(['admin', 'user']);
