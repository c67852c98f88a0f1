// Namespace paths as the storage API writes them: `/`, `/home/a/b.txt`, `/media/x`, `/homes/bob/…`.

/** The folder shown when the page opens without a path: your own home. */
export const DEFAULT_FOLDER = '/home';

/** A child of a folder. */
export function joinPath(folder: string, name: string): string {
  return folder === '/' ? `/${name}` : `${folder.replace(/\/+$/, '')}/${name}`;
}

/** The folder holding a path; `/` for top-level entries. */
export function parentPath(path: string): string {
  const cut = path.replace(/\/+$/, '').lastIndexOf('/');
  return cut <= 0 ? '/' : path.slice(0, cut);
}

/** A path as typed by a person: one leading slash, no trailing or doubled slashes. */
export function normalizePath(path: string): string {
  const parts = path
    .trim()
    .split('/')
    .filter((p) => p !== '');
  return `/${parts.join('/')}`;
}

export interface Crumb {
  readonly label: string;
  readonly path: string;
}

/** `/home/docs` → All files › home › docs. */
export function breadcrumbs(path: string): readonly Crumb[] {
  const crumbs: Crumb[] = [{ label: 'All files', path: '/' }];
  let current = '';
  for (const part of path.split('/').filter((p) => p !== '')) {
    current += `/${part}`;
    crumbs.push({ label: part, path: current });
  }
  return crumbs;
}

/** The top of the namespace and the admins' list of homes hold no files of their own. */
export function isVirtualFolder(path: string): boolean {
  return path === '/' || path === '/homes';
}

/** A name for a file or folder: not empty, no slash, not `.` or `..`. Returns the problem, or null. */
export function nameProblem(name: string): string | null {
  if (name.trim() === '') return 'Enter a name.';
  if (name.includes('/')) return 'A name cannot contain /.';
  if (name === '.' || name === '..') return 'Choose another name.';
  return null;
}

export type PreviewKind = 'image' | 'text' | 'pdf';

const TEXT_TYPES = /^(text\/|application\/(json|xml|javascript|x-sh|x-yaml|yaml|toml|sql)\b)|\+(json|xml)\b/;

/** How a file can be previewed in the console, from its content type; null: download it instead. */
export function previewKind(contentType: string): PreviewKind | null {
  const type = contentType.toLowerCase();
  if (type.startsWith('image/')) return 'image';
  if (type === 'application/pdf') return 'pdf';
  if (TEXT_TYPES.test(type)) return 'text';
  return null;
}
