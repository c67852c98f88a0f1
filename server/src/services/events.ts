import { EventEmitter } from 'node:events';

/** What changed in the accounts model; the SMB gateway and caches listen. */
export interface DomainEvents {
  'user.created': [{ userId: number; username: string; password: string }];
  'user.changed': [{ userId: number; username: string }];
  'user.password': [{ userId: number; username: string; password: string }];
  'user.deleted': [{ userId: number; username: string }];
  'group.changed': [{ groupId: number; name: string }];
  'share.changed': [{ shareId: number; name: string }];
  'storage.changed': [{ key: string; bytesWritten: number }];
}

export class DomainEventBus extends EventEmitter<DomainEvents> {}
