import { z } from '../openapi-zod.js';

export const ID_PARAMS = z.object({
  id: z
    .string()
    .regex(/^[1-9]\d{0,15}$/, 'must be a positive whole number')
    .transform(Number),
});

/** A page size in a query string: 1 to 500. */
export const LIMIT_PARAM = z
  .string()
  .regex(/^\d+$/, 'must be a whole number')
  .transform(Number)
  .pipe(z.number().int().min(1).max(500));

/** The `nextCursor` of a previous page (an id to continue below). */
export const CURSOR_PARAM = z
  .string()
  .regex(/^\d+$/, 'must be the nextCursor of a previous page')
  .transform(Number);

export const PAGE_QUERY = z
  .object({
    limit: LIMIT_PARAM.optional(),
    offset: z
      .string()
      .regex(/^\d+$/, 'must be a whole number')
      .transform(Number)
      .pipe(z.number().int().min(0))
      .optional(),
  })
  .strict();

export const USER_VIEW = z
  .object({
    id: z.number().int(),
    username: z.string(),
    email: z.string().nullable(),
    role: z.enum(['admin', 'user']),
    disabled: z.boolean(),
    quotaBytes: z.number().int().nullable(),
    smbEnabled: z.boolean(),
    groups: z.array(z.string()),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('User');

export const SESSION = z
  .object({
    accessToken: z.string(),
    refreshToken: z.string(),
    expiresIn: z.number().int().openapi({ description: 'Seconds until the access token expires.' }),
    user: USER_VIEW,
  })
  .openapi('Session');
