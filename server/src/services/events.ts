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

export type DomainEventName = keyof DomainEvents;

/** Where this process's events go besides its own listeners: the other workers of `baluhost serve --workers N`. */
export type EventRelay = <K extends DomainEventName>(name: K, payload: DomainEvents[K][0]) => void;

/**
 * The domain events. With several workers, listeners registered with `on` hear every worker's events (caches,
 * the SMB gateway in the control worker); listeners registered with `onLocal` only this process's own, for work
 * that must happen once (setting a deleted user's home aside). `storage.changed` reaches the control worker
 * alone (server/src/cluster.ts): a listener for it anywhere else hears its own worker's uploads only.
 */
export class DomainEventBus extends EventEmitter<DomainEvents> {
  private readonly own = new EventEmitter<DomainEvents>();
  private relay: EventRelay | null = null;

  override emit<K extends DomainEventName>(name: K, ...args: DomainEvents[K]): boolean {
    (this.own.emit as (n: K, ...a: DomainEvents[K]) => boolean)(name, ...args);
    this.relay?.(name, args[0]);
    return (super.emit as (n: K, ...a: DomainEvents[K]) => boolean)(name, ...args);
  }

  /** An event another worker emitted: `on` listeners hear it, `onLocal` ones do not, and it is not relayed again. */
  emitRemote<K extends DomainEventName>(name: K, payload: DomainEvents[K][0]): void {
    (super.emit as (n: K, p: DomainEvents[K][0]) => boolean)(name, payload);
  }

  onLocal<K extends DomainEventName>(name: K, listener: (payload: DomainEvents[K][0]) => void): void {
    (this.own.on as (n: K, l: (p: DomainEvents[K][0]) => void) => unknown)(name, listener);
  }

  /** Sends every event emitted here from now on through `relay` too. */
  relayTo(relay: EventRelay): void {
    this.relay = relay;
  }
}
