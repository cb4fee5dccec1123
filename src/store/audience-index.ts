/**
 * Audience counts kept with the user record, so the staff's preview reads a few counters
 * instead of a million hashes. Each user belongs to one bucket per channel (language,
 * verdict, and the first exclusion that applies: blocked, unreachable, opted out, or none);
 * a hash per channel counts the users of each bucket and a sorted set per bucket holds the
 * users who have a meeting, scored by its time, so "meeting within N days" is one ZCOUNT.
 *
 * The index moves in the same script as the record (`INDEX_LUA`, spliced into the users'
 * update script): the user hash keeps its own index entry in the field `_ix`
 * (`<bucket>|<meeting ms>`), so a script always knows what to take back before counting
 * the new state, and an update is indexed exactly once whatever runs at the same time.
 * Records written before the index existed have no `_ix`; `AudienceIndex.build` indexes them
 * once (idempotent, safe beside live updates) and then marks the channel as indexed.
 *
 * The index is kept per shard of users (keys.ts), in the shard's hash slot, so the scripts
 * touch one slot on a Redis Cluster; a preview adds up the shards' counts. The meeting sets
 * are named inside the script from a prefix in the same slot (their bucket is only known
 * there), which Redis Cluster allows for keys of the slot the script runs on.
 */
import type { Channel } from '../conversation/types.ts';
import { EXCLUSIONS_SUFFIX, SHARDS, type RedisKeys } from './keys.ts';
import type { RedisClient } from './redis-connection.ts';
import type { UserRecord } from './types.ts';

/** The user-hash field holding the user's own index entry (not part of the record). */
export const INDEX_FIELD = '_ix';

/** Who is left out of a broadcast, first reason first (as the broadcast filter checks). */
export type IndexedExclusion = 'blocked' | 'unreachable' | 'optedOut';

/** The users of one bucket of one channel, and how many of them have a meeting in the window asked for. */
export interface AudienceBucket {
  /** As stored (an unknown language is mapped to the default by the reader of the counts). */
  locale: string;
  verdict?: string;
  exclusion?: IndexedExclusion;
  users: number;
  /** Users whose meeting is at or after `from`. */
  upcoming: number;
  /** Users whose meeting is between `from` and `until` (both included); 0 when no `until` was asked. */
  within: number;
}

/** The meeting window of a count, in epoch ms. */
export interface MeetingWindow {
  from: number;
  until?: number;
}

export interface AudienceCounter {
  /** Every non-empty bucket of a channel, with meeting counts for the window. */
  audienceBuckets(channel: Channel, window: MeetingWindow): Promise<AudienceBucket[]>;
}

/**
 * Lua: `index_user(userKey, countsKey, meetingsPrefix, id, meeting, gone)` moves a user to
 * the bucket their hash says now (out of every bucket when `gone`), and bumps the shard's
 * exclusion counter (keys.ts `audienceExclusions`) when the user leaves every audience. `meeting`: the meeting's
 * epoch ms as a string, '' for none, or false to keep the one indexed before (a record
 * without an entry that has a meeting then stays unindexed: only `build`, which parses the
 * date, can index it).
 */
export const INDEX_LUA = `
local function unquote(v)
  if v and string.sub(v, 1, 1) == '"' then return string.sub(v, 2, -2) end
  return v or ''
end
local function index_user(userKey, countsKey, meetingsPrefix, id, meeting, gone)
  local f = redis.call('HMGET', userKey, 'locale', 'verdict', 'blocked', 'unreachable', 'optedOut', '${INDEX_FIELD}', 'meetingAt')
  local old, oldBucket, oldScore = f[6], nil, nil
  -- A user who may have been in a frozen chunk is excluded now: broadcasts re-read the shard.
  -- An entry that was excluded already needs no bump; a record without one always bumps.
  if (gone or not f[1] or f[3] == 'true' or f[4] == 'true' or f[5] == 'true') and (not old or string.find(old, '|include|', 1, true)) then
    redis.call('INCR', countsKey .. '${EXCLUSIONS_SUFFIX}')
  end
  if old then
    local cut = string.find(old, '|[^|]*$')
    oldBucket, oldScore = string.sub(old, 1, cut - 1), string.sub(old, cut + 1)
  end
  if meeting == false then
    if old then meeting = oldScore elseif f[7] then return else meeting = '' end
  end
  local new = nil
  if f[1] and not gone then
    local class = 'include'
    if f[3] == 'true' then class = 'blocked' elseif f[4] == 'true' then class = 'unreachable' elseif f[5] == 'true' then class = 'optedOut' end
    new = unquote(f[1]) .. '|' .. unquote(f[2]) .. '|' .. class .. '|' .. meeting
  end
  if new == old then return end
  if old then
    if redis.call('HINCRBY', countsKey, oldBucket, -1) <= 0 then redis.call('HDEL', countsKey, oldBucket) end
    if oldScore ~= '' then redis.call('ZREM', meetingsPrefix .. oldBucket, id) end
  end
  if new then
    local cut = string.find(new, '|[^|]*$')
    local bucket = string.sub(new, 1, cut - 1)
    redis.call('HINCRBY', countsKey, bucket, 1)
    if meeting ~= '' then redis.call('ZADD', meetingsPrefix .. bucket, meeting, id) end
    redis.call('HSET', userKey, '${INDEX_FIELD}', new)
  end
end
`;

/** What `index_user` is told about the meeting after a patch: its new time, none, or unchanged (false). */
export function meetingArg(meetingAt: string | null | undefined): string | false {
  if (meetingAt === undefined) return false;
  if (meetingAt === null) return '';
  const at = Date.parse(meetingAt);
  return Number.isNaN(at) ? '' : String(at);
}

/**
 * Indexes the users of one batch of one shard that have no entry yet. KEYS: the shard's
 * counts, then the batch's user hashes. ARGV: the shard's meeting-set prefix, then
 * stored meetingAt ('' none), meeting ms ('' none) pairs, one per user hash. The user ids
 * travel in ARGV too, after the pairs.
 */
const BUILD = `${INDEX_LUA}
local indexed = 0
local n = #KEYS - 1
for i = 1, n do
  local userKey = KEYS[i + 1]
  local id = ARGV[1 + 2 * n + i]
  if redis.call('HEXISTS', userKey, '${INDEX_FIELD}') == 0 and (redis.call('HGET', userKey, 'meetingAt') or '') == ARGV[2 * i] then
    index_user(userKey, KEYS[1], ARGV[1], id, ARGV[2 * i + 1], false)
    indexed = indexed + 1
  end
end
return indexed
`;


const BUILD_BATCH = 1_000;

/**
 * One shard's non-empty buckets with their meeting counts: name, users, meetings at or
 * after ARGV[2], meetings up to ARGV[3] ('' none: 0), four values per bucket. KEYS: the
 * shard's counts; ARGV[1]: its meeting-set prefix (same slot).
 */
const SHARD_BUCKETS = `
local counts = redis.call('HGETALL', KEYS[1])
local out = {}
for i = 1, #counts, 2 do
  if tonumber(counts[i + 1]) > 0 then
    local key = ARGV[1] .. counts[i]
    local within = 0
    if ARGV[3] ~= '' then within = redis.call('ZCOUNT', key, ARGV[2], ARGV[3]) end
    out[#out + 1] = counts[i]
    out[#out + 1] = counts[i + 1]
    out[#out + 1] = redis.call('ZCOUNT', key, ARGV[2], '+inf')
    out[#out + 1] = within
  end
end
return out
`;

type IndexRedis = RedisClient & { audienceShardBuckets(counts: string, meetings: string, from: string, until: string): Promise<(string | number)[]> };

export class AudienceIndex implements AudienceCounter {
  private readonly redis: RedisClient;
  private readonly keys: RedisKeys;

  constructor(redis: RedisClient, keys: RedisKeys) {
    this.redis = redis;
    this.keys = keys;
    // Sent as EVALSHA: a preview runs it once per shard.
    redis.defineCommand('audienceShardBuckets', { numberOfKeys: 1, lua: SHARD_BUCKETS });
  }

  /** Whether every record of the channel is in the index (`build` has run to its end once). */
  async ready(channel: Channel): Promise<boolean> {
    return (await this.redis.exists(this.keys.audienceIndexed(channel))) === 1;
  }

  /**
   * The shards' buckets added up. Each shard is read on its own (its keys are one slot);
   * the commands are sent together without waiting, so this is a few round trips whatever
   * the number of shards.
   */
  async audienceBuckets(channel: Channel, window: MeetingWindow): Promise<AudienceBucket[]> {
    const shards = await Promise.all(SHARDS.map((shard) => this.shardBuckets(channel, shard, window)));
    const total = new Map<string, { users: number; upcoming: number; within: number }>();
    for (const buckets of shards) {
      for (const [name, counts] of buckets) {
        const sum = total.get(name) ?? { users: 0, upcoming: 0, within: 0 };
        sum.users += counts.users;
        sum.upcoming += counts.upcoming;
        sum.within += counts.within;
        total.set(name, sum);
      }
    }
    return [...total].map(([name, counts]) => ({ ...parseBucket(name), ...counts }));
  }

  /** One shard's buckets in one round trip (SHARD_BUCKETS, on the shard's slot). */
  private async shardBuckets(channel: Channel, shard: number, window: MeetingWindow): Promise<Map<string, { users: number; upcoming: number; within: number }>> {
    const flat = (await (this.redis as IndexRedis).audienceShardBuckets(
      this.keys.audienceCounts(channel, shard),
      this.keys.audienceMeetings(channel, shard, ''),
      String(window.from),
      window.until !== undefined ? String(window.until) : '',
    )) as (string | number)[];
    const out = new Map<string, { users: number; upcoming: number; within: number }>();
    for (let i = 0; i + 3 < flat.length; i += 4) {
      out.set(String(flat[i]), { users: Number(flat[i + 1]), upcoming: Number(flat[i + 2]), within: Number(flat[i + 3]) });
    }
    return out;
  }

  /**
   * Indexes every record of the channel that has no index entry (records from before the
   * index), then marks the channel as indexed. Safe to run on several workers at once and
   * beside live updates: a record is only indexed while it still has no entry and the
   * meeting read is still the stored one.
   */
  async build(channel: Channel, signal?: AbortSignal): Promise<number> {
    if (await this.ready(channel)) return 0;
    let indexed = 0;
    for (const shard of SHARDS) indexed += await this.buildShard(channel, shard, signal);
    await this.redis.set(this.keys.audienceIndexed(channel), new Date().toISOString());
    return indexed;
  }

  private async buildShard(channel: Channel, shard: number, signal: AbortSignal | undefined): Promise<number> {
    const userPrefix = this.keys.userPrefix(channel, shard);
    let indexed = 0;
    let cursor = '0';
    do {
      signal?.throwIfAborted();
      const [next, ids] = await this.redis.sscan(this.keys.usersOf(channel, shard), cursor, 'COUNT', BUILD_BATCH);
      cursor = next;
      if (ids.length === 0) continue;
      const pipeline = this.redis.pipeline();
      for (const id of ids) pipeline.hmget(userPrefix + id, INDEX_FIELD, 'meetingAt');
      const rows = ((await pipeline.exec()) ?? []).map(([, row]) => row as (string | null)[]);
      const keys: string[] = [];
      const pairs: string[] = [];
      const todo: string[] = [];
      for (const [i, [entry, meetingAt]] of rows.entries()) {
        if (entry !== null) continue;
        const stored = meetingAt ?? '';
        keys.push(userPrefix + ids[i]!);
        pairs.push(stored, meetingArg(stored ? (JSON.parse(stored) as string) : null) || '');
        todo.push(ids[i]!);
      }
      if (todo.length) {
        const meetings = this.keys.audienceMeetings(channel, shard, '');
        indexed += (await this.redis.eval(BUILD, 1 + keys.length, this.keys.audienceCounts(channel, shard), ...keys, meetings, ...pairs, ...todo)) as number;
      }
    } while (cursor !== '0');
    return indexed;
  }
}

function parseBucket(name: string): Pick<AudienceBucket, 'locale' | 'verdict' | 'exclusion'> {
  const [locale = '', verdict = '', exclusion = 'include'] = name.split('|');
  return {
    locale,
    ...(verdict ? { verdict } : {}),
    ...(exclusion !== 'include' ? { exclusion: exclusion as IndexedExclusion } : {}),
  };
}

/** The same buckets computed from whole records (the in-memory store). */
export function bucketsOf(records: Iterable<UserRecord>, window: MeetingWindow): AudienceBucket[] {
  const buckets = new Map<string, AudienceBucket>();
  for (const record of records) {
    const exclusion: IndexedExclusion | undefined = record.blocked ? 'blocked' : record.unreachable ? 'unreachable' : record.optedOut ? 'optedOut' : undefined;
    const name = `${record.locale}|${record.verdict ?? ''}|${exclusion ?? 'include'}`;
    const bucket = buckets.get(name) ?? { ...parseBucket(name), users: 0, upcoming: 0, within: 0 };
    bucket.users++;
    const at = record.meetingAt ? Date.parse(record.meetingAt) : Number.NaN;
    if (at >= window.from) bucket.upcoming++;
    if (window.until !== undefined && at >= window.from && at <= window.until) bucket.within++;
    buckets.set(name, bucket);
  }
  return [...buckets.values()];
}
