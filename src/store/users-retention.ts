/**
 * How long a user record is kept (issue #15, docs/operations.md "Privacy"). A record lives
 * as long as its session, its planned reminders or an advisor handoff not yet ended; once
 * none of those is left and the user has been silent for the retention period
 * (USER_RETENTION_DAYS), the record goes, with its id in the channel's users set and its
 * entry in the audience index, so nothing keeps an id whose record is gone.
 *
 * Records are not given a Redis TTL: an expiring hash would leave its id in the users set
 * and its count in the audience index. A sweep (jobs/user-retention.ts) walks the users
 * set instead and decides per user in one script, so a user who comes back during the sweep
 * is never deleted. While something of the user lives, the sweep marks the record as seen
 * (`_seen`, a store field the record itself never shows); silence is counted from the later
 * of that mark and the record's last update.
 */
import type { Channel, UserRef } from '../conversation/types.ts';
import { INDEX_LUA } from './audience-index.ts';
import { SHARDS, userShard, type RedisKeys } from './keys.ts';
import type { RedisClient } from './redis-connection.ts';
import { encodeUserField } from './user-codec.ts';

/** Where the sweep records that something of the user still lived. */
export const SEEN_FIELD = '_seen';

/**
 * KEYS: the user hash, the shard's users set and audience counts, the session, the
 * reminder index (all one slot). ARGV: the user id, the meeting-set prefix, now, the cutoff
 * (both as stored: JSON ISO instants, which compare as strings), and '1' when the user has
 * a handoff not ended yet (read just before: handoff keys live in another slot; a handoff
 * opened in between comes with a conversation step, which updates the record, so the
 * record then reads as recent).
 */
const SWEEP = `${INDEX_LUA}
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('SREM', KEYS[2], ARGV[1])
  return 'orphan'
end
if redis.call('EXISTS', KEYS[4]) == 1 or redis.call('EXISTS', KEYS[5]) == 1 or ARGV[5] == '1' then
  redis.call('HSET', KEYS[1], '${SEEN_FIELD}', ARGV[3])
  return 'live'
end
local updated = redis.call('HGET', KEYS[1], 'updatedAt') or ''
local seen = redis.call('HGET', KEYS[1], '${SEEN_FIELD}') or ''
if updated >= ARGV[4] or seen >= ARGV[4] then return 'recent' end
index_user(KEYS[1], KEYS[3], ARGV[2], ARGV[1], '', true)
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[1])
return 'deleted'
`;

type SweepRedis = RedisClient & { userSweep(...args: string[]): Promise<string> };

export interface SweepResult {
  /** Records deleted after the retention period of silence. */
  deleted: number;
  /** Ids in the users set whose record was already gone, taken out of the set. */
  orphans: number;
}

export class UserRetention {
  private readonly redis: SweepRedis;
  private readonly keys: RedisKeys;
  private readonly clock: () => Date;

  constructor(redis: RedisClient, keys: RedisKeys, clock: () => Date) {
    redis.defineCommand('userSweep', { numberOfKeys: 5, lua: SWEEP });
    this.redis = redis as SweepRedis;
    this.keys = keys;
    this.clock = clock;
  }

  /** One pass over a channel's users: deletes the records silent for longer than `retentionMs`. */
  async sweep(channel: Channel, retentionMs: number, options: { signal?: AbortSignal; batchSize?: number } = {}): Promise<SweepResult> {
    const result: SweepResult = { deleted: 0, orphans: 0 };
    for (const shard of SHARDS) {
      let cursor = '0';
      do {
        if (options.signal?.aborted) return result;
        const [next, ids] = await this.redis.sscan(this.keys.usersOf(channel, shard), cursor, 'COUNT', options.batchSize ?? 500);
        cursor = next;
        // Read the clock per batch: a long sweep must not judge late users by its start time.
        const now = this.clock().getTime();
        const outcomes = await Promise.all(ids.map((id) => this.sweepOne({ channel, id }, now, retentionMs)));
        for (const outcome of outcomes) {
          if (outcome === 'deleted') result.deleted++;
          else if (outcome === 'orphan') result.orphans++;
        }
      } while (cursor !== '0');
    }
    return result;
  }

  private async sweepOne(user: UserRef, now: number, retentionMs: number): Promise<string> {
    const { keys } = this;
    const shard = userShard(user.id);
    const handoffOpen = (await this.redis.exists(keys.handoffActive(user))) === 1;
    return this.redis.userSweep(
      keys.user(user),
      keys.usersOf(user.channel, shard),
      keys.audienceCounts(user.channel, shard),
      keys.session(user),
      keys.reminderJobs(user),
      user.id,
      keys.audienceMeetings(user.channel, shard, ''),
      encodeUserField(new Date(now).toISOString()),
      encodeUserField(new Date(now - retentionMs).toISOString()),
      handoffOpen ? '1' : '0',
    );
  }
}
