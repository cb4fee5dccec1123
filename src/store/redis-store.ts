/**
 * The production store on Redis (ioredis), and the only module that holds a Redis client:
 * small repositories (sessions, users, dedupe, broadcasts, audience reader, reminder index,
 * audit log) share its connection, and libraries that speak Redis themselves (BullMQ, the
 * admin rate limiter) get their connections from it.
 */
import type { ClusterNode, RedisOptions } from 'ioredis';
import type { Session } from '../conversation/session.ts';
import type { UserRef } from '../conversation/types.ts';
import { AudienceReader } from './audience-reader.ts';
import { AuditStore } from './audit-store.ts';
import { RedisHandoffs } from './handoffs.ts';
import { RedisInbox, type RedisInboxOptions } from './inbox.ts';
import { RedisInsights } from './insights.ts';
import { BroadcastStore } from './broadcasts.ts';
import { redisKeys, type RedisKeys } from './keys.ts';
import { migrateLayout, type LayoutMigration } from './layout.ts';
import { connectBlocking, connectTarget, type QueueConnection, type RateLimitBackend, type RedisClient, type RedisTarget } from './redis-connection.ts';
import { RedisUsers } from './redis-users.ts';
import { ReminderBatches } from './reminder-batches.ts';
import { ReminderIndex } from './reminder-index.ts';
import { UserRetention } from './users-retention.ts';
import type { DedupeStore, SessionStore, Store, Versioned } from './types.ts';

/** Atomic compare-and-set on a session hash {v, data}: the cross-process guard against lost updates. */
const COMPARE_AND_SET = `
local current = redis.call('HGET', KEYS[1], 'v')
if (current == false and ARGV[1] == '0') or current == ARGV[1] then
  redis.call('HSET', KEYS[1], 'v', tonumber(ARGV[1]) + 1, 'data', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return 1
end
return 0
`;

export interface RedisStoreOptions {
  /** A standalone Redis; or `cluster`, the seed nodes of a Redis Cluster (one of the two). */
  url?: string;
  cluster?: readonly ClusterNode[];
  prefix: string;
  sessionTtlSeconds: number;
  clock?: () => Date;
  redisOptions?: RedisOptions;
}

type CasRedis = RedisClient & {
  sessionCompareAndSet(key: string, expected: string, data: string, ttlMs: string): Promise<number>;
};

/** The events of a connection, for logging outages (observability/redis-events.ts). */
export type RedisConnection = Pick<RedisClient, 'on'>;

function storeTarget(options: RedisStoreOptions): RedisTarget {
  if (options.cluster && options.url) throw new Error('a Redis URL or cluster nodes, not both');
  if (options.cluster) return { cluster: options.cluster };
  if (options.url) return { url: options.url };
  throw new Error('a Redis URL or cluster nodes is needed');
}

export class RedisStore implements Store {
  private readonly redis: CasRedis;
  private readonly keys: RedisKeys;
  private readonly target: RedisTarget;
  private readonly ttlMs: number;
  /** Connections handed to BullMQ workers; closed with the store. */
  private readonly blocking: RedisClient[] = [];

  readonly sessions: SessionStore;
  readonly users: RedisUsers;
  readonly dedupe: DedupeStore;
  readonly broadcasts: BroadcastStore;
  /** Users as audiences read them: only the fields a filter needs, fast. */
  readonly audience: AudienceReader;
  readonly reminderIndex: ReminderIndex;
  readonly reminderBatches: ReminderBatches;
  readonly audit: AuditStore;
  /** Advisor handoffs and their messages, kept as long as a conversation. */
  readonly handoffs: RedisHandoffs;
  /** Daily insights counters (no personal data), kept 400 days. */
  readonly insights: RedisInsights;
  /** Deletes user records after USER_RETENTION_DAYS of silence (users-retention.ts). */
  readonly retention: UserRetention;

  constructor(options: RedisStoreOptions, redis?: RedisClient) {
    this.target = storeTarget(options);
    this.redis = (redis ?? connectTarget(this.target, options.redisOptions)) as CasRedis;
    this.redis.defineCommand('sessionCompareAndSet', { numberOfKeys: 1, lua: COMPARE_AND_SET });
    this.keys = redisKeys(options.prefix);
    this.ttlMs = options.sessionTtlSeconds * 1000;
    const clock = options.clock ?? (() => new Date());
    this.sessions = this.sessionStore();
    this.users = new RedisUsers(this.redis, this.keys, clock);
    this.dedupe = this.dedupeStore();
    this.audience = new AudienceReader(this.redis, this.keys);
    this.broadcasts = new BroadcastStore(this.redis, this.keys, this.audience);
    this.reminderIndex = new ReminderIndex(this.redis, this.keys);
    this.reminderBatches = new ReminderBatches(this.redis, this.keys);
    this.audit = new AuditStore(this.redis, this.keys.adminAudit);
    this.handoffs = new RedisHandoffs(this.redis, this.keys, options.sessionTtlSeconds);
    this.insights = new RedisInsights(this.redis, this.keys);
    this.retention = new UserRetention(this.redis, this.keys, clock);
  }

  private sessionStore(): SessionStore {
    return {
      get: async (user: UserRef): Promise<Versioned<Session> | undefined> => {
        const [version, data] = await this.redis.hmget(this.keys.session(user), 'v', 'data');
        if (!version || !data) return undefined;
        return { version: Number(version), value: JSON.parse(data) as Session };
      },
      compareAndSet: async (user: UserRef, expected: number, session: Session, ttlSeconds?: number): Promise<boolean> => {
        const ok = await this.redis.sessionCompareAndSet(
          this.keys.session(user),
          String(expected),
          JSON.stringify(session),
          String(ttlSeconds !== undefined ? ttlSeconds * 1000 : this.ttlMs),
        );
        return ok === 1;
      },
    };
  }

  private dedupeStore(): DedupeStore {
    return {
      claim: async (scope, id, ttlSeconds) => (await this.redis.set(this.keys.dedupe(scope, id), '1', 'EX', ttlSeconds, 'NX')) === 'OK',
      release: async (scope, id) => {
        await this.redis.del(this.keys.dedupe(scope, id));
      },
      confirm: async (scope, id, ttlSeconds) => {
        await this.redis.set(this.keys.dedupe(scope, id), '1', 'EX', ttlSeconds);
      },
    };
  }

  /** For BullMQ queues: the store's own connection (a queue never blocks on it). */
  queueConnection(): QueueConnection {
    return { connection: this.redis, prefix: this.keys.queuePrefix };
  }

  /** For BullMQ workers: a new connection they may block on, closed with the store. */
  workerConnection(): QueueConnection {
    const connection = this.blockingConnection();
    this.blocking.push(connection);
    return { connection, prefix: this.keys.queuePrefix };
  }

  /** The inbox between webhooks and workers, on this connection (readers open their own). */
  inbox(options: RedisInboxOptions): RedisInbox {
    return new RedisInbox(this.redis, this.keys, () => this.blockingConnection(), options);
  }

  /**
   * A connection that may block. Outages are logged once, from the connections the runtime
   * watches (observability/redis-events.ts); without a listener of its own, ioredis would
   * print each of this one's reconnection attempts to stderr.
   */
  private blockingConnection(): RedisClient {
    const connection = connectBlocking(this.target);
    connection.on('error', () => undefined);
    return connection;
  }

  /** Where the admin API's rate limiter counts, so every instance counts together. */
  rateLimitBackend(): RateLimitBackend {
    return { redis: this.redis, nameSpace: this.keys.adminRateLimit };
  }

  /** The store's connection, for watching its outages. */
  get connection(): RedisConnection {
    return this.redis;
  }

  /**
   * Connected now, without waiting. While ioredis reconnects, commands wait in its offline
   * queue for seconds; a webhook refused at once with 503 is redelivered by the platform.
   */
  connected(): boolean {
    return this.redis.status === 'ready';
  }

  async deleteUser(user: UserRef): Promise<void> {
    await this.users.remove(user, this.keys.ownedBy(user));
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.redis.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  /** Moves a deployment's keys written by an earlier version into this version's names, once (layout.ts). */
  migrateLayout(log?: (message: string) => void): Promise<LayoutMigration> {
    return migrateLayout(this.redis, this.keys, log);
  }

  async close(): Promise<void> {
    for (const connection of this.blocking) await connection.quit().catch(() => connection.disconnect());
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
