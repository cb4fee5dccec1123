/**
 * User records on Redis. An update writes only the fields its patch names (HSET / HDEL),
 * in one script that also creates a new record with its defaults: an unfollow and a
 * worker's "unreachable" mark arriving together both stick, where reading the whole record
 * and writing every field back would let one undo the other.
 */
import type { Channel, UserRef } from '../conversation/types.ts';
import { SHARDS, userShard, type RedisKeys } from './keys.ts';
import type { RedisClient } from './redis-connection.ts';
import { AudienceIndex, INDEX_LUA, meetingArg, type AudienceBucket, type MeetingWindow } from './audience-index.ts';
import { defaultUserRecord, type UserPatch, type UserRecord, type UserStore } from './types.ts';
import { decodeUser, encodeUser, splitPatch } from './user-codec.ts';

/**
 * KEYS: the user hash, the id set and audience counts of the user's shard (one hash slot,
 * keys.ts). ARGV: the user id; the key prefix of the shard's meeting sets (same slot); the meeting as the index takes it (ms,
 * '' for none, '-' for unchanged); the number of default fields, then their field/value
 * pairs; the number of fields to set, then their pairs; then the fields to delete. The
 * audience index moves in the same script (audience-index.ts).
 */
const UPDATE = `${INDEX_LUA}
local i = 4
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
local meeting = ARGV[3]
if meeting == '-' then meeting = false end
index_user(KEYS[1], KEYS[3], ARGV[2], ARGV[1], meeting, false)
return redis.call('HGETALL', KEYS[1])
`;

/** KEYS: the user hash, the shard's id set and audience counts, then the user's other keys (all one slot). ARGV: the user id, the meeting-set prefix. */
const REMOVE = `${INDEX_LUA}
index_user(KEYS[1], KEYS[3], ARGV[2], ARGV[1], '', true)
redis.call('DEL', KEYS[1])
if #KEYS > 3 then redis.call('DEL', unpack(KEYS, 4, #KEYS)) end
redis.call('SREM', KEYS[2], ARGV[1])
`;

type UsersRedis = RedisClient & {
  userUpdate(...args: string[]): Promise<string[]>;
  userRemove(...args: string[]): Promise<void>;
};

const pairs = (fields: Record<string, string>): string[] => Object.entries(fields).flat();

export class RedisUsers implements UserStore {
  private readonly redis: UsersRedis;
  private readonly keys: RedisKeys;
  private readonly clock: () => Date;
  /** The audience counts kept with these records. */
  readonly index: AudienceIndex;

  constructor(redis: RedisClient, keys: RedisKeys, clock: () => Date) {
    redis.defineCommand('userUpdate', { numberOfKeys: 3, lua: UPDATE });
    redis.defineCommand('userRemove', { lua: REMOVE });
    this.redis = redis as UsersRedis;
    this.keys = keys;
    this.clock = clock;
    this.index = new AudienceIndex(redis, keys);
  }

  async get(user: UserRef): Promise<UserRecord | undefined> {
    return decodeUser(await this.redis.hgetall(this.keys.user(user)));
  }

  async update(user: UserRef, patch: UserPatch): Promise<UserRecord> {
    const now = this.clock();
    const { set, removed } = splitPatch({ ...patch, updatedAt: now.toISOString() });
    const defaults = encodeUser(defaultUserRecord(user, now));
    const meeting = meetingArg(patch.meetingAt);
    const shard = userShard(user.id);
    const flat = await this.redis.userUpdate(
      this.keys.user(user),
      this.keys.usersOf(user.channel, shard),
      this.keys.audienceCounts(user.channel, shard),
      user.id,
      this.keys.audienceMeetings(user.channel, shard, ''),
      meeting === false ? '-' : meeting,
      String(Object.keys(defaults).length),
      ...pairs(defaults),
      String(Object.keys(set).length),
      ...pairs(set),
      ...removed,
    );
    const hash: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) hash[flat[i]!] = flat[i + 1]!;
    return decodeUser(hash)!;
  }

  /** Deletes the record, its index entry and `otherKeys` (the user's other data) in one step. */
  async remove(user: UserRef, otherKeys: readonly string[]): Promise<void> {
    const shard = userShard(user.id);
    const keys = [this.keys.user(user), this.keys.usersOf(user.channel, shard), this.keys.audienceCounts(user.channel, shard), ...otherKeys];
    await this.redis.userRemove(String(keys.length), ...keys, user.id, this.keys.audienceMeetings(user.channel, shard, ''));
  }

  audienceBuckets(channel: Channel, window: MeetingWindow): Promise<AudienceBucket[]> {
    return this.index.audienceBuckets(channel, window);
  }

  scan(channel: Channel, batchSize = 500): AsyncIterable<UserRecord[]> {
    return this.scanUsers(channel, batchSize);
  }

  /** Shard by shard; a shard's hashes are one slot, so each page is one pipeline even on a cluster. */
  private async *scanUsers(channel: Channel, batchSize: number): AsyncIterable<UserRecord[]> {
    for (const shard of SHARDS) {
      let cursor = '0';
      do {
        const [next, ids] = await this.redis.sscan(this.keys.usersOf(channel, shard), cursor, 'COUNT', batchSize);
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
}
