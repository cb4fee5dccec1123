/**
 * Broadcasts on Redis: records, idempotency keys, frozen chunks and progress. Every state
 * change that must not race (start or finish a freeze, count a chunk, cancel) is one Lua
 * script, so any number of API instances and workers can act on a broadcast at once.
 */
import { randomBytes } from 'node:crypto';
import { usersFromRows, type AudienceReader } from './audience-reader.ts';
import type { RedisKeys } from './keys.ts';
import type { RedisClient } from './redis-connection.ts';
import type { AudienceCounts, AudienceUser, BroadcastChannel } from '../jobs/broadcast/filter.ts';
import type { OpenShards } from '../jobs/broadcast/chunks.ts';
import { chunkName, decodeChunk, decodeRecord, encodeChunk, encodeNew, type BroadcastRecord, type BroadcastStatus, type Chunk, type ChunkCounts, type NewBroadcast } from './broadcast-record.ts';

/** Frozen chunks and done markers outlive any job retry; then they go. */
const WORK_TTL_SECONDS = 30 * 86_400;
const IDEMPOTENCY_TTL_SECONDS = 86_400;

/**
 * Starts (or resumes) a freeze: a new run number fences off any earlier, stalled run, which
 * can then neither mark users seen nor commit a step. Returns the run and the last
 * committed step (absent on a fresh start).
 */
const BEGIN_FREEZE = `
local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'scheduled' and status ~= 'freezing' then return {0, status or 'missing'} end
if status == 'scheduled' then redis.call('HSET', KEYS[1], 'startedAt', ARGV[1], 'frozenRun', ARGV[2]) end
redis.call('HSET', KEYS[1], 'status', 'freezing')
return {redis.call('HINCRBY', KEYS[1], 'run', 1), redis.call('HGET', KEYS[2], '_checkpoint') or ''}
`;

/**
 * Marks the ids of one page of a channel's users as taken by the step after committed step
 * ARGV[2], for the current run only, and says per id whether it was not taken before ('1')
 * or was ('0'), as one string. Only for a freeze resumed in the middle of a shard, from a
 * checkpoint of an earlier version, which committed a step per page and marked its users;
 * a freeze now commits at shard ends and drops SSCAN's repeats within a shard itself.
 * A mark from a step that never committed (the freezer died) counts as not taken, so a
 * resumed freeze neither drops nor repeats anyone; SSCAN's repeats are dropped.
 * 'superseded' when another run took over. The page itself is read before, from the users'
 * shard (another hash slot on a cluster): only the cursor committed with a step counts, so
 * a page read and never committed is simply read again.
 * KEYS: record, seen hash (one slot). ARGV: run, committed step, then the page's ids.
 */
const TAKE_PAGE = `
if redis.call('HGET', KEYS[1], 'run') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'status') ~= 'freezing' then return 'superseded' end
local committed = tonumber(ARGV[2])
local step = tostring(committed + 1)
local flags = {}
for i = 3, #ARGV do
  local id = ARGV[i]
  -- Unmarked (the usual case) is one command; a mark is only read when there is one.
  local taken = redis.call('HSETNX', KEYS[2], id, step) == 0
  if taken and tonumber(redis.call('HGET', KEYS[2], id)) > committed then
    redis.call('HSET', KEYS[2], id, step)
    taken = false
  end
  flags[#flags + 1] = taken and '0' or '1'
end
redis.call('EXPIRE', KEYS[2], 2592000)
return {table.concat(flags)}
`;

/**
 * Commits one step of a freeze, for the current run only: its full chunks (sendable from
 * now on) and where to go on from. The last step also publishes the totals; the broadcast
 * is then sending, or done if every chunk has already been counted.
 */
const COMMIT_STEP = `
if redis.call('HGET', KEYS[1], 'run') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'status') ~= 'freezing' then return 0 end
if #ARGV > 5 then
  redis.call('HSET', KEYS[2], unpack(ARGV, 6, #ARGV))
  redis.call('EXPIRE', KEYS[2], ARGV[5])
end
redis.call('HSET', KEYS[1], 'published', ARGV[3])
if ARGV[4] == '' then
  redis.call('HSET', KEYS[2], '_checkpoint', ARGV[2])
  redis.call('EXPIRE', KEYS[2], ARGV[5])
  return 1
end
local final = cjson.decode(ARGV[4])
redis.call('HDEL', KEYS[2], '_checkpoint')
-- UNLINK: the seen hash has a field per user, and DEL of a million fields holds Redis for most of a second.
redis.call('UNLINK', KEYS[3])
redis.call('HSET', KEYS[1], 'frozenAt', final.at, 'total', final.total, 'audience', final.audience, 'chunks', ARGV[3], 'chunksTotal', final.chunksTotal)
if tonumber(redis.call('HGET', KEYS[1], 'chunksDone') or '0') >= final.chunksTotal then
  redis.call('HSET', KEYS[1], 'status', 'done', 'finishedAt', final.at)
  redis.call('UNLINK', KEYS[2])
else
  redis.call('HSET', KEYS[1], 'status', 'sending')
end
return 1
`;

/** Counts a chunk's outcome once, however often its job runs; the last chunk finishes the broadcast. */
const RECORD_CHUNK = `
if redis.call('SADD', KEYS[2], ARGV[1]) == 0 then return 0 end
redis.call('EXPIRE', KEYS[2], ARGV[6])
redis.call('HINCRBY', KEYS[1], 'sent', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'failed', ARGV[3])
redis.call('HINCRBY', KEYS[1], 'skipped', ARGV[4])
local done = redis.call('HINCRBY', KEYS[1], 'chunksDone', 1)
local total = tonumber(redis.call('HGET', KEYS[1], 'chunksTotal') or '0')
if done >= total and redis.call('HGET', KEYS[1], 'status') == 'sending' then
  redis.call('HSET', KEYS[1], 'status', 'done', 'finishedAt', ARGV[5])
  -- The chunks (a million users' ids) are freed off Redis's main thread.
  redis.call('UNLINK', KEYS[3])
end
return 1
`;

const CANCEL = `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 'missing' end
if status == 'done' or status == 'cancelled' then return status end
redis.call('HSET', KEYS[1], 'status', 'cancelled', 'cancelledAt', ARGV[2], 'cancelledBy', ARGV[1], 'finishedAt', ARGV[2])
return 'ok'
`;

/** SADD one id at a time and say which were new: a scan's duplicates are dropped, in one round trip. */
const FIRST_SEEN = `
local out = {}
for i = 1, #ARGV do out[i] = redis.call('SADD', KEYS[1], ARGV[i]) end
redis.call('EXPIRE', KEYS[1], 86400)
return out
`;

export interface ChunkOutcome {
  sent: number;
  failed: number;
  skipped: number;
}

/** Where a freeze goes on from after its last committed step (kept beside its chunks). */
export interface FreezeCheckpoint {
  /** Steps committed so far. */
  step: number;
  /** The instant the audience is taken at (epoch ms), kept by every run. */
  now: number;
  /** Index of the channel being walked, in the filter's channel list, and the SSCAN cursor within it. */
  channel: number;
  cursor: string;
  /** Users taken but not yet in a full chunk, by `<channel>:<locale>`. */
  open: Record<string, string[]>;
  /** Their shards' exclusion counters (absent in checkpoints from before them: re-read at send). */
  openShards?: OpenShards;
  /** Chunks cut so far, per channel. */
  numbered: ChunkCounts;
  counts: AudienceCounts;
}

/** Users of one page of one shard taken by a freeze, read as of the shard's exclusion counter `version`. */
export interface TakenPage {
  next: string;
  shard: number;
  version: number;
  users: AudienceUser[];
}

/** Chunks are kept under one key per broadcast: a resumed freeze goes on where it stopped. */
const CHUNKS_RUN = 1;

/** The parts of a record a chunk job needs, read in one round trip. */
export interface ChunkState {
  status: BroadcastStatus | undefined;
  frozenRun: number | undefined;
  done: boolean;
}

export type IdempotencyClaim = { claimed: true } | { claimed: false; id: string; fingerprint: string };

/** A set that says which members it sees for the first time; dropped when the scan is done. */
export interface ScratchSet {
  firstSeen(members: string[]): Promise<boolean[]>;
  drop(): Promise<void>;
}

export class BroadcastStore {
  private readonly redis: RedisClient;
  private readonly keys: RedisKeys;
  private readonly reader: AudienceReader;

  constructor(redis: RedisClient, keys: RedisKeys, reader: AudienceReader) {
    this.redis = redis;
    this.keys = keys;
    this.reader = reader;
  }

  /** The record, then its place in the list (another slot on a cluster; the list skips ids without a record). */
  async create(record: NewBroadcast): Promise<void> {
    await this.redis.hset(this.keys.broadcast(record.id), encodeNew(record));
    await this.redis.zadd(this.keys.broadcasts, Date.parse(record.createdAt), record.id);
  }

  async get(id: string): Promise<BroadcastRecord | undefined> {
    return decodeRecord(await this.redis.hgetall(this.keys.broadcast(id)));
  }

  /** Newest first. */
  async list(limit: number): Promise<BroadcastRecord[]> {
    const ids = await this.redis.zrevrange(this.keys.broadcasts, 0, limit - 1);
    if (ids.length === 0) return [];
    // Sent together, not as one pipeline: each broadcast has its own hash slot on a cluster.
    const hashes = await Promise.all(ids.map((id) => this.redis.hgetall(this.keys.broadcast(id))));
    return hashes.map(decodeRecord).filter((r): r is BroadcastRecord => !!r);
  }

  /** Remembers which broadcast a staff member's Idempotency-Key made, for a day. */
  async claimIdempotency(staff: string, keyHash: string, id: string, fingerprint: string): Promise<IdempotencyClaim> {
    const key = this.keys.broadcastIdempotency(staff, keyHash);
    const set = await this.redis.set(key, JSON.stringify({ id, fingerprint }), 'EX', IDEMPOTENCY_TTL_SECONDS, 'NX');
    if (set === 'OK') return { claimed: true };
    const existing = await this.redis.get(key);
    if (!existing) return this.claimIdempotency(staff, keyHash, id, fingerprint);
    return { claimed: false, ...(JSON.parse(existing) as { id: string; fingerprint: string }) };
  }

  async releaseIdempotency(staff: string, keyHash: string): Promise<void> {
    await this.redis.del(this.keys.broadcastIdempotency(staff, keyHash));
  }

  /**
   * A new run of the broadcast's freeze and the step it resumes after, or undefined when
   * the broadcast is past freezing (already frozen, cancelled, gone).
   */
  async beginFreeze(id: string, now: Date): Promise<{ run: number; checkpoint?: FreezeCheckpoint } | undefined> {
    const [run, checkpoint] = (await this.redis.eval(BEGIN_FREEZE, 2, this.keys.broadcast(id), this.chunksKey(id), now.toISOString(), String(CHUNKS_RUN))) as [number, string];
    if (!run) return undefined;
    return { run, ...(checkpoint ? { checkpoint: JSON.parse(checkpoint) as FreezeCheckpoint } : {}) };
  }

  /** De-duplicates the users of one audience preview. */
  previewScratch(): ScratchSet {
    const key = this.keys.audienceScratch(randomBytes(8).toString('hex'));
    return { firstSeen: (members) => this.firstSeen(key, members), drop: async () => void (await this.redis.unlink(key)) };
  }

  /**
   * The next page of a channel's users (all of one shard, read as of the shard's exclusion
   * counter `version`). `marked`: for the step after `committedStep`, without users an
   * earlier step took (TAKE_PAGE), for a freeze that resumes in the middle of a shard;
   * otherwise the page as read, SSCAN's repeats included (the freeze drops them itself).
   */
  async takePage(id: string, run: number, committedStep: number, channel: BroadcastChannel, cursor: string, count: number, marked: boolean): Promise<TakenPage | 'superseded'> {
    // The page and its rows come from the users' shards, the marks go to the broadcast's slot.
    const page = await this.reader.rowPage(channel, cursor, count);
    const { next, shard, version } = page;
    if (!marked) return { next, shard, version, users: usersFromRows(channel, page.ids, page.rows.join('\x1e')) };
    const out = (await this.redis.eval(TAKE_PAGE, 2, this.keys.broadcast(id), this.keys.broadcastSeen(id, CHUNKS_RUN), String(run), String(committedStep), ...page.ids)) as [string] | string;
    if (typeof out === 'string') return 'superseded';
    const fresh = page.ids.flatMap((_, i) => (out[0][i] === '1' ? [i] : []));
    return { next, shard, version, users: usersFromRows(channel, fresh.map((i) => page.ids[i]!), fresh.map((i) => page.rows[i]).join('\x1e')) };
  }

  /**
   * Commits a step: its chunks become sendable and the freeze resumes after it. With
   * `final`, the audience is complete (totals published). False when another run or a
   * cancel came first: the caller stops.
   */
  async commitStep(id: string, run: number, step: { checkpoint: FreezeCheckpoint; chunks: readonly Chunk[]; published: ChunkCounts; final?: { counts: AudienceCounts; at: Date } }): Promise<boolean> {
    const { final } = step;
    const summary = final
      ? JSON.stringify({ at: final.at.toISOString(), total: final.counts.total, audience: JSON.stringify(final.counts), chunksTotal: Object.values(step.published).reduce((sum, n) => sum + n, 0) })
      : '';
    const ok = await this.redis.eval(
      COMMIT_STEP,
      3,
      this.keys.broadcast(id),
      this.chunksKey(id),
      this.keys.broadcastSeen(id, CHUNKS_RUN),
      String(run),
      JSON.stringify(step.checkpoint),
      JSON.stringify(step.published),
      summary,
      String(WORK_TTL_SECONDS),
      ...step.chunks.flatMap((c) => [chunkName(c.channel, c.n), encodeChunk(c)]),
    );
    return ok === 1;
  }

  /** Users whose chunk has been counted (sent, failed or skipped) so far; undefined once run `run` may no longer freeze (a newer run, a cancel). */
  async countedUsers(id: string, run: number): Promise<number | undefined> {
    const [status, current, ...counted] = await this.redis.hmget(this.keys.broadcast(id), 'status', 'run', 'sent', 'failed', 'skipped');
    if (status !== 'freezing' || current !== String(run)) return undefined;
    return counted.reduce((sum, n) => sum + Number(n ?? 0), 0);
  }

  /** Chunks committed so far, per channel (while freezing; the final counts once frozen). */
  async publishedChunks(id: string): Promise<ChunkCounts | undefined> {
    const published = await this.redis.hget(this.keys.broadcast(id), 'published');
    return published ? (JSON.parse(published) as ChunkCounts) : undefined;
  }

  private chunksKey(id: string): string {
    return this.keys.broadcastChunks(id, CHUNKS_RUN);
  }

  /** Adds members to a scratch set (a day's TTL); true where a member was not in it before. */
  private async firstSeen(setKey: string, members: string[]): Promise<boolean[]> {
    if (members.length === 0) return [];
    const added = (await this.redis.eval(FIRST_SEEN, 1, setKey, ...members)) as number[];
    return added.map((n) => n === 1);
  }

  async chunkState(id: string, channel: BroadcastChannel, n: number): Promise<ChunkState> {
    const results = await this.redis
      .pipeline()
      .hmget(this.keys.broadcast(id), 'status', 'frozenRun')
      .sismember(this.keys.broadcastDone(id), chunkName(channel, n))
      .exec();
    const [status, frozenRun] = (results?.[0]?.[1] ?? []) as (string | null)[];
    return {
      status: (status ?? undefined) as BroadcastStatus | undefined,
      frozenRun: frozenRun ? Number(frozenRun) : undefined,
      done: results?.[1]?.[1] === 1,
    };
  }

  async readChunk(id: string, run: number, channel: BroadcastChannel, n: number): Promise<Chunk | undefined> {
    const text = await this.redis.hget(this.keys.broadcastChunks(id, run), chunkName(channel, n));
    return text ? decodeChunk(channel, n, text) : undefined;
  }

  /** Names of the chunks already counted (so a resumed broadcast enqueues only the rest). */
  async doneChunks(id: string): Promise<Set<string>> {
    return new Set(await this.redis.smembers(this.keys.broadcastDone(id)));
  }

  /** Counts a chunk; false if it was already counted (a retried or duplicated job). */
  async recordChunk(id: string, run: number, channel: BroadcastChannel, n: number, outcome: ChunkOutcome, now: Date): Promise<boolean> {
    const ok = await this.redis.eval(
      RECORD_CHUNK,
      3,
      this.keys.broadcast(id),
      this.keys.broadcastDone(id),
      this.keys.broadcastChunks(id, run),
      chunkName(channel, n),
      String(outcome.sent),
      String(outcome.failed),
      String(outcome.skipped),
      now.toISOString(),
      String(WORK_TTL_SECONDS),
    );
    return ok === 1;
  }

  /** 'ok' when this call cancelled it; otherwise the reason it did not ('cancelled' already, 'done', 'missing'). */
  async cancel(id: string, staff: string, now: Date): Promise<'ok' | 'cancelled' | 'done' | 'missing'> {
    const result = (await this.redis.eval(CANCEL, 1, this.keys.broadcast(id), staff, now.toISOString())) as 'ok' | 'cancelled' | 'done' | 'missing';
    if (result === 'ok') {
      const [frozenRun] = await this.redis.hmget(this.keys.broadcast(id), 'frozenRun');
      // Chunk jobs still queued find no chunk and send nothing; the data is no longer needed.
      if (frozenRun) await this.redis.del(this.keys.broadcastChunks(id, Number(frozenRun)), this.keys.broadcastSeen(id, Number(frozenRun)));
    }
    return result;
  }
}
