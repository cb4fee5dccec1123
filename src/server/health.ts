/**
 * What `/readyz` asks, and whether webhooks can be taken right now. Checks answer quickly
 * and never throw: a probe that hangs while Redis is down would look like a hung process.
 */

export interface ReadinessCheck {
  name: string;
  check: () => boolean | Promise<boolean>;
}

/** A check that has not answered by then counts as not ready. */
export const READINESS_TIMEOUT_MS = 1_000;

/** The parts of an ioredis client the checks use. */
export interface RedisLike {
  readonly status: string;
  ping(): Promise<string>;
}

/** The parts of a BullMQ worker the checks use. */
export interface WorkerLike {
  isRunning(): boolean;
  readonly closing: Promise<void> | undefined;
}

/**
 * Connected now, without waiting. While ioredis reconnects, commands wait in its offline
 * queue for seconds; a webhook refused at once with 503 is redelivered by the platform.
 */
export function redisConnected(redis: RedisLike): boolean {
  return redis.status === 'ready';
}

export function redisReadiness(redis: RedisLike): ReadinessCheck {
  return {
    name: 'redis',
    // No PING while disconnected: it would sit in the offline queue and run much later.
    check: async () => redisConnected(redis) && (await redis.ping()) === 'PONG',
  };
}

export function workerReadiness(name: string, worker: () => WorkerLike | undefined): ReadinessCheck {
  return {
    name,
    check: () => {
      const w = worker();
      return !!w && w.isRunning() && !w.closing;
    },
  };
}

/** Runs every check at once, each bounded by READINESS_TIMEOUT_MS. */
export async function runChecks(checks: readonly ReadinessCheck[], timeoutMs = READINESS_TIMEOUT_MS): Promise<Record<string, boolean>> {
  const results = await Promise.all(checks.map(async (c) => [c.name, await bounded(c.check, timeoutMs)] as const));
  return Object.fromEntries(results);
}

async function bounded(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([Promise.resolve().then(check), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
