import bunyan from 'bunyan';
import type { Writable } from 'node:stream';

export type Logger = bunyan;

/** The root logger `baluhost`; modules take a child with `component`, requests one with `reqId`. */
export function createLogger(level: bunyan.LogLevelString, stream?: Writable): Logger {
  return bunyan.createLogger({
    name: 'baluhost',
    level,
    serializers: bunyan.stdSerializers,
    ...(stream ? { stream } : {}),
  });
}
