/** How mendan-navi connects to Redis, and what it hands to libraries that speak Redis themselves. */
import { Cluster, Redis, type ClusterNode, type ClusterOptions, type RedisOptions } from 'ioredis';

/**
 * A standalone Redis or a Redis Cluster: the store and its repositories speak to either.
 * Every script and MULTI touches keys of one hash slot (keys.ts names the hash tags), and
 * nothing SCANs the keyspace, so the same code runs on both.
 */
export type RedisClient = Redis | Cluster;

/** Where Redis is: a URL (standalone), or the seed nodes of a Redis Cluster. */
export type RedisTarget = { url: string } | { cluster: readonly ClusterNode[] };

/** `host:port,host:port` (REDIS_CLUSTER_NODES) as ioredis's seed nodes. */
export function parseClusterNodes(value: string): { host: string; port: number }[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((node) => {
      const cut = node.lastIndexOf(':');
      const port = Number(node.slice(cut + 1));
      if (cut <= 0 || !Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`not host:port: ${node}`);
      return { host: node.slice(0, cut), port };
    });
}

/**
 * During an outage a command fails after one retry instead of waiting out many, and
 * reconnects back off to 2 s. No command timeout: a timed-out dedupe claim would still run
 * after reconnecting and then hide the platform's redelivery.
 */
const STORE_OPTIONS: RedisOptions = {
  maxRetriesPerRequest: 1,
  enableOfflineQueue: true,
  retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2_000),
};

export function connectRedis(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, { ...STORE_OPTIONS, ...options });
}

/**
 * The store's connection to a target. On a cluster the same per-node options apply, and
 * the cluster client itself retries its topology the same way.
 */
export function connectTarget(target: RedisTarget, options: RedisOptions = {}): RedisClient {
  if ('url' in target) return connectRedis(target.url, options);
  const cluster: ClusterOptions = {
    redisOptions: { ...STORE_OPTIONS, ...options },
    enableOfflineQueue: true,
    clusterRetryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2_000),
  };
  return new Cluster([...target.cluster], cluster);
}

/**
 * A connection and key prefix for BullMQ, which names its own keys below the prefix.
 * Queues may share the store's connection; workers block on theirs and need their own.
 */
export interface QueueConnection {
  connection: RedisClient;
  prefix: string;
}

/** What @fastify/rate-limit needs to keep its counters on Redis, shared by every instance. */
export interface RateLimitBackend {
  redis: RedisClient;
  nameSpace: string;
}

/** A connection BullMQ workers may block on: commands wait for a reconnect instead of failing. */
export function connectBlocking(target: RedisTarget | string): RedisClient {
  const to = typeof target === 'string' ? { url: target } : target;
  if ('url' in to) return new Redis(to.url, { maxRetriesPerRequest: null });
  return new Cluster([...to.cluster], { redisOptions: { maxRetriesPerRequest: null } });
}
