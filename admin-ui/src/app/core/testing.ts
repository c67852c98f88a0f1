import type { Session, User } from './api-client';

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
