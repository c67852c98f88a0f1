/** One line of /proc/mounts. */
export interface MountEntry {
  /** e.g. `/dev/sda1`, `/dev/mapper/vg-root`, `overlay`. */
  readonly source: string;
  readonly mountPoint: string;
  readonly fsType: string;
}

function unescapeOctal(field: string): string {
  // The kernel escapes space, tab, newline and backslash in /proc/mounts as \040 \011 \012 \134.
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** Parses /proc/mounts (or /proc/self/mounts). Lines with fewer than three fields are skipped. */
export function parseProcMounts(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const [source, mountPoint, fsType] = line.trim().split(/\s+/);
    if (source === undefined || mountPoint === undefined || fsType === undefined) continue;
    entries.push({ source: unescapeOctal(source), mountPoint: unescapeOctal(mountPoint), fsType });
  }
  return entries;
}
