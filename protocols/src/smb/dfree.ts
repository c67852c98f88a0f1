/** Quotes a string for a POSIX shell: single quotes, with embedded ones closed and escaped. */
function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The `dfree command` script. Samba runs it as the connected user and passes no user name (only `.`), so
 * `dfree.d/<user>` are symlinks to this one script, which reads its own name and prints the user's
 * `<total> <free>` line (1 KiB blocks) from `<quotaDir>/<user>`, a file BaluHost keeps up to date: no database
 * access, nothing that can hang. A missing file exits non-zero and Samba falls back to the disk's own figures.
 */
export function renderDfreeScript(quotaDir: string): string {
  return [
    '#!/bin/sh',
    '# Written by BaluHost: Samba dfree command. Prints "<total> <free>" in 1K blocks for the user named by $0.',
    `f=${shellQuote(quotaDir)}/"\${0##*/}"`,
    '[ -r "$f" ] || exit 1',
    'exec cat "$f"',
    '',
  ].join('\n');
}

/**
 * One quota file's content: `<total> <free>` in 1 KiB blocks, rounded down (never promising space that is not
 * there). With no quota, the disk's size and free space.
 */
export function formatDfree(totalBytes: number, freeBytes: number): string {
  const blocks = (n: number) => Math.max(0, Math.floor(n / 1024));
  return `${blocks(totalBytes)} ${Math.min(blocks(freeBytes), blocks(totalBytes))}\n`;
}
