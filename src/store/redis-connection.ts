/** How mendan-navi connects to Redis, and what it hands to libraries that speak Redis themselves. */
import { Redis, type RedisOptions } from 'ioredis';

/**
 * During an outage a command fails after one retry instead of waiting out many, and
 * reconnects back off to 2 s. No command timeout: a timed-out dedupe claim would still run
 * after reconnecting and then hide the platform's redelivery.
 */
export function connectRedis(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2_000),
    ...options,
  });
}

/**
 * A connection and key prefix for BullMQ, which names its own keys below the prefix.
 * Queues may share the store's connection; workers block on theirs and need their own.
 */
export interface QueueConnection {
  connection: Redis;
  prefix: string;
}

/** What @fastify/rate-limit needs to keep its counters on Redis, shared by every instance. */
export interface RateLimitBackend {
  redis: Redis;
  nameSpace: string;
}

/** A connection BullMQ workers may block on: commands wait for a reconnect instead of failing. */
export function connectBlocking(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null });
}
