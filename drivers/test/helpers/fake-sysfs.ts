import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A temporary directory standing in for /sys or /proc; `cleanup` removes it. */
export interface FakeTree {
  readonly root: string;
  /** Writes files (path relative to root → content), creating directories. */
  write(files: Readonly<Record<string, string>>): Promise<void>;
  /** Creates a symlink at `path` (relative to root) pointing to `target` (as given). */
  link(path: string, target: string): Promise<void>;
  /** Reads a file relative to root, as is (no trimming): what a driver wrote, byte for byte. */
  read(path: string): Promise<string>;
  cleanup(): Promise<void>;
}

/** Makes an empty fake tree in the OS temp directory. */
export async function makeFakeTree(prefix = 'baluhost-drivers-'): Promise<FakeTree> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  const tree: FakeTree = {
    root,
    async write(files) {
      for (const [path, content] of Object.entries(files)) {
        const full = join(root, path);
        await mkdir(dirname(full), { recursive: true });
        await writeFile(full, content);
      }
    },
    async link(path, target) {
      const full = join(root, path);
      await mkdir(dirname(full), { recursive: true });
      await symlink(target, full);
    },
    read(path) {
      return readFile(join(root, path), 'utf8');
    },
    cleanup() {
      return rm(root, { recursive: true, force: true });
    },
  };
  return tree;
}

/**
 * Materialises one of the sysfs listings in test/fixtures (`path = content`, `path -> target`,
 * `path = (empty file)`, `path =` followed by 4-space-indented lines) into `tree`. Every file gets
 * the trailing newline the kernel prints.
 */
export async function materialiseSysfsListing(tree: FakeTree, listing: string): Promise<void> {
  const lines = listing.split('\n');
  const files: Record<string, string> = {};
  const links: [string, string][] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    if (line.startsWith('#') || line.trim().length === 0 || line.startsWith(' ')) continue;
    const link = /^(\S+) -> (\S+)$/.exec(line);
    if (link?.[1] !== undefined && link[2] !== undefined) {
      links.push([link[1], link[2].replace(/\/$/, '')]);
      continue;
    }
    const file = /^(\S+) =(?: (.*))?$/.exec(line);
    if (file?.[1] === undefined) throw new Error(`unrecognised listing line: ${line}`);
    const value = file[2];
    if (value === '(empty file)') {
      files[file[1]] = '';
    } else if (value === undefined && (lines[i + 1] ?? '').startsWith('    ')) {
      const body: string[] = [];
      while ((lines[i + 1] ?? '').startsWith('    ')) {
        i += 1;
        body.push((lines[i] ?? '').slice(4));
      }
      files[file[1]] = `${body.join('\n')}\n`;
    } else {
      files[file[1]] = `${value ?? ''}\n`;
    }
  }
  await tree.write(files);
  for (const [path, target] of links) await tree.link(path, target);
}
