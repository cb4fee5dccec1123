/**
 * Logs a Redis connection's outages once each: "lost" when it drops, "back" when it is ready
 * again. ioredis emits an error on every reconnection attempt and prints those it has no
 * listener for to stderr; during an outage that would be a line every few seconds per
 * connection, none of them structured.
 */
import type { Logger } from 'pino';

/** The events of an ioredis client this needs. */
export interface ConnectionEvents {
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'reconnecting' | 'ready', listener: () => void): unknown;
}

export function watchRedisConnection(connection: ConnectionEvents, logger: Logger, name: string): void {
  let down = false;
  let lastError: string | undefined;
  connection.on('error', (error) => {
    lastError = error.message;
  });
  // 'reconnecting', not 'close': a connection closed on purpose (shutdown) is not an outage.
  connection.on('reconnecting', () => {
    if (down) return;
    down = true;
    logger.warn({ connection: name, error: lastError }, 'redis connection lost; reconnecting');
  });
  connection.on('ready', () => {
    if (!down) return;
    down = false;
    logger.warn({ connection: name }, 'redis connection back');
    lastError = undefined;
  });
}
