/**
 * Logs a Redis outage once for the whole process: "lost" when the first watched connection
 * drops, "back" when every one of them is ready again. ioredis emits an error on every
 * reconnection attempt and prints those it has no listener for to stderr, and BullMQ
 * workers report each failed command of their own connections; during an outage that was
 * dozens of lines a second (issue #15), none of them news after the first.
 */
import type { Logger } from 'pino';

/** The events of an ioredis client this needs. */
export interface ConnectionEvents {
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'reconnecting' | 'ready', listener: () => void): unknown;
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const CONNECTION_MESSAGES = /^(Connection is closed|Reached the max retries per request limit|Stream isn't writeable)/;

/** An error that says the connection to Redis is gone, not that a command was wrong. */
export function isRedisConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return (typeof code === 'string' && CONNECTION_CODES.has(code)) || CONNECTION_MESSAGES.test(error.message) || error.name === 'MaxRetriesPerRequestError';
}

export class RedisOutages {
  private readonly logger: Logger;
  private readonly down = new Set<string>();
  private lastError: string | undefined;

  constructor(logger: Logger) {
    this.logger = logger;
  }

  /** Follows a connection; `name` says which one dropped first in the "lost" line. */
  watch(connection: ConnectionEvents, name: string): void {
    connection.on('error', (error) => {
      this.lastError = error.message;
    });
    // 'reconnecting', not 'close': a connection closed on purpose (shutdown) is not an outage.
    connection.on('reconnecting', () => {
      if (this.down.has(name)) return;
      if (this.down.size === 0) this.logger.warn({ connection: name, error: this.lastError }, 'redis connection lost; reconnecting');
      this.down.add(name);
    });
    connection.on('ready', () => {
      if (!this.down.delete(name) || this.down.size > 0) return;
      this.logger.warn({ connection: name }, 'redis connection back');
      this.lastError = undefined;
    });
  }
}

/**
 * For errors a library reports about connections of its own (BullMQ workers): a lost
 * connection is the outage the watched connections already log once, so it goes to debug;
 * anything else is logged as the error it is.
 */
export function logWorkerError(logger: Logger, error: Error, message: string, context: Record<string, unknown> = {}): void {
  if (isRedisConnectionError(error)) logger.debug({ ...context, error: error.message }, message);
  else logger.error({ ...context, err: error }, message);
}
