/**
 * User records on Redis. An update writes only the fields its patch names (HSET / HDEL),
 * in one script that also creates a new record with its defaults: an unfollow and a
 * worker's "unreachable" mark arriving together both stick, where reading the whole record
 * and writing every field back would let one undo the other.
 */
import type { Redis } from 'ioredis';
import type { Channel, UserRef } from '../conversation/types.ts';
import type { RedisKeys } from './keys.ts';
import { defaultUserRecord, type UserPatch, type UserRecord, type UserStore } from './types.ts';
import { decodeUser, encodeUser, splitPatch } from './user-codec.ts';

/**
 * KEYS: the user hash, the channel's id set. ARGV: the user id; the number of default
 * fields, then their field/value pairs; the number of fields to set, then their pairs;
 * then the fields to delete.
 */
const UPDATE = `
local i = 2
local n = tonumber(ARGV[i])
if n > 0 and redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], unpack(ARGV, i + 1, i + 2 * n))
end
i = i + 2 * n + 1
local m = tonumber(ARGV[i])
if m > 0 then redis.call('HSET', KEYS[1], unpack(ARGV, i + 1, i + 2 * m)) end
i = i + 2 * m + 1
if i <= #ARGV then redis.call('HDEL', KEYS[1], unpack(ARGV, i, #ARGV)) end
redis.call('SADD', KEYS[2], ARGV[1])
return redis.call('HGETALL', KEYS[1])
`;

const pairs = (fields: Record<string, string>): string[] => Object.entries(fields).flat();

export class RedisUsers implements UserStore {
  private readonly redis: Redis;
  private readonly keys: RedisKeys;
  private readonly clock: () => Date;

  constructor(redis: Redis, keys: RedisKeys, clock: () => Date) {
    this.redis = redis;
    this.keys = keys;
    this.clock = clock;
  }

  async get(user: UserRef): Promise<UserRecord | undefined> {
    return decodeUser(await this.redis.hgetall(this.keys.user(user)));
  }

  async update(user: UserRef, patch: UserPatch): Promise<UserRecord> {
    const now = this.clock();
    const { set, removed } = splitPatch({ ...patch, updatedAt: now.toISOString() });
    const defaults = encodeUser(defaultUserRecord(user, now));
    const flat = (await this.redis.eval(
      UPDATE,
      2,
      this.keys.user(user),
      this.keys.usersOf(user.channel),
      user.id,
      String(Object.keys(defaults).length),
      ...pairs(defaults),
      String(Object.keys(set).length),
      ...pairs(set),
      ...removed,
    )) as string[];
    const hash: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) hash[flat[i]!] = flat[i + 1]!;
    return decodeUser(hash)!;
  }

  scan(channel: Channel, batchSize = 500): AsyncIterable<UserRecord[]> {
    return this.scanUsers(channel, batchSize);
  }

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
}
