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
 */
import type { Redis } from 'ioredis';
import type { Channel } from '../conversation/types.ts';
import type { RedisKeys } from './keys.ts';
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
 * the bucket their hash says now (out of every bucket when `gone`). `meeting`: the meeting's
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

/** Indexes the users of one batch that have no entry yet; ARGV: id, stored meetingAt ('' none), meeting ms ('' none) triples. */
const BUILD = `${INDEX_LUA}
local indexed = 0
for i = 1, #ARGV, 3 do
  local userKey = KEYS[3] .. ARGV[i]
  if redis.call('HEXISTS', userKey, '${INDEX_FIELD}') == 0 and (redis.call('HGET', userKey, 'meetingAt') or '') == ARGV[i + 1] then
    index_user(userKey, KEYS[1], KEYS[2], ARGV[i], ARGV[i + 2], false)
    indexed = indexed + 1
  end
end
return indexed
`;


const BUILD_BATCH = 1_000;

export class AudienceIndex implements AudienceCounter {
  private readonly redis: Redis;
  private readonly keys: RedisKeys;

  constructor(redis: Redis, keys: RedisKeys) {
    this.redis = redis;
    this.keys = keys;
  }

  /** Whether every record of the channel is in the index (`build` has run to its end once). */
  async ready(channel: Channel): Promise<boolean> {
    return (await this.redis.exists(this.keys.audienceIndexed(channel))) === 1;
  }

  async audienceBuckets(channel: Channel, window: MeetingWindow): Promise<AudienceBucket[]> {
    const counts = await this.redis.hgetall(this.keys.audienceCounts(channel));
    const names = Object.keys(counts).filter((name) => Number(counts[name]) > 0);
    const pipeline = this.redis.pipeline();
    for (const name of names) {
      const key = this.keys.audienceMeetings(channel, name);
      pipeline.zcount(key, window.from, '+inf');
      if (window.until !== undefined) pipeline.zcount(key, window.from, window.until);
    }
    const replies = ((await pipeline.exec()) ?? []).map(([error, n]) => {
      if (error) throw error;
      return Number(n);
    });
    const perBucket = window.until !== undefined ? 2 : 1;
    return names.map((name, i) => ({
      ...parseBucket(name),
      users: Number(counts[name]),
      upcoming: replies[i * perBucket]!,
      within: window.until !== undefined ? replies[i * perBucket + 1]! : 0,
    }));
  }

  /**
   * Indexes every record of the channel that has no index entry (records from before the
   * index), then marks the channel as indexed. Safe to run on several workers at once and
   * beside live updates: a record is only indexed while it still has no entry and the
   * meeting read is still the stored one.
   */
  async build(channel: Channel, signal?: AbortSignal): Promise<number> {
    if (await this.ready(channel)) return 0;
    const usersKey = this.keys.usersOf(channel);
    const userPrefix = this.keys.user({ channel, id: '' });
    let indexed = 0;
    let cursor = '0';
    do {
      signal?.throwIfAborted();
      const [next, ids] = await this.redis.sscan(usersKey, cursor, 'COUNT', BUILD_BATCH);
      cursor = next;
      if (ids.length === 0) continue;
      const pipeline = this.redis.pipeline();
      for (const id of ids) pipeline.hmget(userPrefix + id, INDEX_FIELD, 'meetingAt');
      const rows = ((await pipeline.exec()) ?? []).map(([, row]) => row as (string | null)[]);
      const args: string[] = [];
      for (const [i, [entry, meetingAt]] of rows.entries()) {
        if (entry !== null) continue;
        const stored = meetingAt ?? '';
        args.push(ids[i]!, stored, meetingArg(stored ? (JSON.parse(stored) as string) : null) || '');
      }
      if (args.length) {
        indexed += (await this.redis.eval(BUILD, 3, this.keys.audienceCounts(channel), this.keys.audienceMeetings(channel, ''), userPrefix, ...args)) as number;
      }
    } while (cursor !== '0');
    await this.redis.set(this.keys.audienceIndexed(channel), new Date().toISOString());
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
