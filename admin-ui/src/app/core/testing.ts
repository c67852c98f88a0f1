import type { FileEntry, Session, Share, User } from './api-client';

/** Test factories for API shapes (imported by specs only). */
export function makeUser(overrides: Partial<User> = {}): User {
  return {
    id: 1,
    username: 'admin',
    email: null,
    role: 'admin',
    disabled: false,
    quotaBytes: null,
    smbEnabled: false,
    groups: [],
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

export function makeSession(n: number, user: User = makeUser()): Session {
  return { accessToken: `access-${n}`, refreshToken: `refresh-${n}`, expiresIn: 900, user };
}

/** An in-memory Storage for the refresh token. */
export class MemoryStorage implements Storage {
  private readonly items = new Map<string, string>();
  get length(): number {
    return this.items.size;
  }
  clear(): void {
    this.items.clear();
  }
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  key(index: number): string | null {
    return [...this.items.keys()][index] ?? null;
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

export function unauthenticated(): { status: number; statusText: string } {
  return { status: 401, statusText: 'Unauthorized' };
}

export const UNAUTHENTICATED_BODY = {
  error: { code: 'UNAUTHENTICATED', message: 'The access token has expired.', requestId: 'r1' },
};

export function makeFile(path: string, overrides: Partial<FileEntry> = {}): FileEntry {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return {
    path,
    name,
    type: 'file',
    size: 1024,
    modified: '2026-01-02T03:04:05.000Z',
    created: '2026-01-02T03:04:05.000Z',
    etag: `"${name}"`,
    contentType: 'text/plain',
    owner: 'admin',
    canModify: true,
    ...overrides,
  };
}

export function makeFolder(path: string, overrides: Partial<FileEntry> = {}): FileEntry {
  return makeFile(path, { type: 'directory', size: 0, contentType: 'httpd/unix-directory', ...overrides });
}

export function makeShare(overrides: Partial<Share> = {}): Share {
  return {
    id: 1,
    name: 'media',
    description: '',
    quotaBytes: null,
    usedBytes: 0,
    acl: [],
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/** The API's error body, as the server sends it. */
export function apiError(
  code: string,
  message: string,
): { error: { code: string; message: string; requestId: string } } {
  return { error: { code, message, requestId: 'r1' } };
}
