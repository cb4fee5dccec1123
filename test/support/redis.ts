/** Real Redis for tests: each test file gets its own key prefix and cleans up after itself. */
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { Redis } from 'ioredis';
import { redisKeys, type RedisKeys } from '../../src/store/keys.ts';
import { RedisStore } from '../../src/store/redis-store.ts';

export function redisUrl(): string {
  return inject('redisUrl');
}

export function uniquePrefix(name: string): string {
  return `test:${name}:${randomUUID().slice(0, 8)}:`;
}

/** Deletes every key under a prefix (SCAN, never KEYS). */
export async function deletePrefix(prefix: string): Promise<void> {
  const redis = new Redis(redisUrl());
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
  await redis.quit();
}

export function createRedisStore(prefix: string, options: { sessionTtlSeconds?: number; clock?: () => Date } = {}): RedisStore {
  return new RedisStore({
    url: redisUrl(),
    prefix,
    sessionTtlSeconds: options.sessionTtlSeconds ?? 3600,
    ...(options.clock ? { clock: options.clock } : {}),
  });
}

/**
 * A plain client on the test Redis and the key names of a prefix, for tests that look at
 * what the store wrote (the store itself keeps both to itself).
 */
export function rawRedis(prefix: string): { redis: Redis; keys: RedisKeys } {
  return { redis: new Redis(redisUrl()), keys: redisKeys(prefix) };
}
