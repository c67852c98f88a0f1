// The server's rules for names and passwords (server/src/services/validation.ts, BALUHOST_PASSWORD_MIN_LENGTH),
// checked in forms before sending. The server stays the judge: its message is shown when it disagrees.

/** Usernames and group names are Unix account names too (the SMB gateway needs them). */
export const NAME_PATTERN = /^[a-z_][a-z0-9_.-]*$/;
export const NAME_MAX_LENGTH = 32;
/** The server's default minimum; a server configured stricter answers with its own message. */
export const PASSWORD_MIN_LENGTH = 8;
