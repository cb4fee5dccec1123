/** The production store on Redis (ioredis). */
import { Redis, type RedisOptions } from 'ioredis';
import type { Session } from '../conversation/session.ts';
import type { Channel, UserRef } from '../conversation/types.ts';
import { redisKeys, type RedisKeys } from './keys.ts';
import {
  applyUserPatch,
  defaultUserRecord,
  type Store,
  type UserPatch,
  type UserRecord,
  type Versioned,
} from './types.ts';

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
  url: string;
  prefix: string;
  sessionTtlSeconds: number;
  clock?: () => Date;
  redisOptions?: RedisOptions;
}

type CasRedis = Redis & {
  sessionCompareAndSet(key: string, expected: string, data: string, ttlMs: string): Promise<number>;
};

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
 * How one field of a user hash is stored (JSON, so types survive). Exported for readers
 * that fetch single fields for speed (broadcast audiences): the encoding stays here.
 */
export function encodeUserField(value: unknown): string {
  return JSON.stringify(value);
}

export function decodeUserField(stored: string): unknown {
  return JSON.parse(stored);
}

function encodeUser(record: UserRecord): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, encodeUserField(v)]));
}

function decodeUser(hash: Record<string, string>): UserRecord | undefined {
  if (!hash.channel || !hash.id) return undefined;
  return Object.fromEntries(Object.entries(hash).map(([k, v]) => [k, decodeUserField(v)])) as unknown as UserRecord;
}

export class RedisStore implements Store {
  readonly redis: CasRedis;
  readonly keys: RedisKeys;
  private readonly ttlMs: number;
  private readonly clock: () => Date;

  constructor(options: RedisStoreOptions, redis?: Redis) {
    this.redis = (redis ?? connectRedis(options.url, options.redisOptions)) as CasRedis;
    this.redis.defineCommand('sessionCompareAndSet', { numberOfKeys: 1, lua: COMPARE_AND_SET });
    this.keys = redisKeys(options.prefix);
    this.ttlMs = options.sessionTtlSeconds * 1000;
    this.clock = options.clock ?? (() => new Date());
  }

  sessions = {
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

  users = {
    get: async (user: UserRef): Promise<UserRecord | undefined> =>
      decodeUser(await this.redis.hgetall(this.keys.user(user))),
    update: async (user: UserRef, patch: UserPatch): Promise<UserRecord> => {
      const key = this.keys.user(user);
      const current = decodeUser(await this.redis.hgetall(key)) ?? defaultUserRecord(user, this.clock());
      const next = applyUserPatch(current, { ...patch, updatedAt: this.clock().toISOString() });
      const removed = Object.entries(patch).filter(([, v]) => v === null).map(([k]) => k);
      const tx = this.redis.multi().hset(key, encodeUser(next)).sadd(this.keys.usersOf(user.channel), user.id);
      if (removed.length) tx.hdel(key, ...removed);
      await tx.exec();
      return next;
    },
    scan: (channel: Channel, batchSize = 500): AsyncIterable<UserRecord[]> => this.scanUsers(channel, batchSize),
  };

  dedupe = {
    claim: async (scope: string, id: string, ttlSeconds: number): Promise<boolean> =>
      (await this.redis.set(this.keys.dedupe(scope, id), '1', 'EX', ttlSeconds, 'NX')) === 'OK',
    release: async (scope: string, id: string): Promise<void> => {
      await this.redis.del(this.keys.dedupe(scope, id));
    },
    confirm: async (scope: string, id: string, ttlSeconds: number): Promise<void> => {
      await this.redis.set(this.keys.dedupe(scope, id), '1', 'EX', ttlSeconds);
    },
  };

  private async *scanUsers(channel: Channel, batchSize: number): AsyncIterable<UserRecord[]> {
    let cursor = '0';
    do {
      const [next, ids] = await this.redis.sscan(this.keys.usersOf(channel), cursor, 'COUNT', batchSize);
      cursor = next;
      if (ids.length === 0) continue;
      const pipeline = this.redis.pipeline();
      for (const id of ids) pipeline.hgetall(this.keys.user({ channel, id }));
      const results = (await pipeline.exec()) ?? [];
      const records = results
        .map(([, hash]) => decodeUser(hash as Record<string, string>))
        .filter((r): r is UserRecord => r !== undefined);
      if (records.length) yield records;
    } while (cursor !== '0');
  }

  async deleteUser(user: UserRef): Promise<void> {
    await this.redis
      .multi()
      .del(...this.keys.ownedBy(user))
      .srem(this.keys.usersOf(user.channel), user.id)
      .exec();
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.redis.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
