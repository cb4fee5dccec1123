/**
 * Broadcasts on Redis: records, idempotency keys, frozen chunks and progress. Every state
 * change that must not race (start or finish a freeze, count a chunk, cancel) is one Lua
 * script, so any number of API instances and workers can act on a broadcast at once.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RedisKeys } from './keys.ts';
import type { BroadcastChannel, AudienceCounts } from '../jobs/broadcast/filter.ts';
import { chunkName, decodeChunk, decodeRecord, encodeChunk, encodeNew, type BroadcastRecord, type BroadcastStatus, type Chunk, type ChunkCounts, type NewBroadcast } from './broadcast-record.ts';

/** Frozen chunks and done markers outlive any job retry; then they go. */
const WORK_TTL_SECONDS = 30 * 86_400;
const IDEMPOTENCY_TTL_SECONDS = 86_400;

/** Starts (or restarts) a freeze: a new run number fences off any earlier, stalled run. */
const BEGIN_FREEZE = `
local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'scheduled' and status ~= 'freezing' then return {0, status or 'missing'} end
if status == 'scheduled' then redis.call('HSET', KEYS[1], 'startedAt', ARGV[1]) end
redis.call('HSET', KEYS[1], 'status', 'freezing')
return {redis.call('HINCRBY', KEYS[1], 'run', 1), 'freezing'}
`;

/** Only the newest run of a freeze that was not cancelled may publish its chunks. */
const FINISH_FREEZE = `
if redis.call('HGET', KEYS[1], 'status') ~= 'freezing' or redis.call('HGET', KEYS[1], 'run') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'frozenRun', ARGV[1], 'frozenAt', ARGV[2], 'total', ARGV[3], 'audience', ARGV[4], 'chunks', ARGV[5], 'chunksTotal', ARGV[6])
for i = 2, #KEYS do redis.call('DEL', KEYS[i]) end
if tonumber(ARGV[6]) == 0 then
  redis.call('HSET', KEYS[1], 'status', 'done', 'finishedAt', ARGV[2])
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
  redis.call('DEL', KEYS[3])
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

export interface FreezeSummary {
  counts: AudienceCounts;
  chunks: ChunkCounts;
}

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
  private readonly redis: Redis;
  private readonly keys: RedisKeys;

  constructor(redis: Redis, keys: RedisKeys) {
    this.redis = redis;
    this.keys = keys;
  }

  async create(record: NewBroadcast): Promise<void> {
    await this.redis
      .multi()
      .hset(this.keys.broadcast(record.id), encodeNew(record))
      .zadd(this.keys.broadcasts, Date.parse(record.createdAt), record.id)
      .exec();
  }

  async get(id: string): Promise<BroadcastRecord | undefined> {
    return decodeRecord(await this.redis.hgetall(this.keys.broadcast(id)));
  }

  /** Newest first. */
  async list(limit: number): Promise<BroadcastRecord[]> {
    const ids = await this.redis.zrevrange(this.keys.broadcasts, 0, limit - 1);
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.keys.broadcast(id));
    const results = (await pipeline.exec()) ?? [];
    return results.map(([, hash]) => decodeRecord(hash as Record<string, string>)).filter((r): r is BroadcastRecord => !!r);
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

  /** A new run number, or 0 when the broadcast is past freezing (already frozen, cancelled, gone). */
  async beginFreeze(id: string, now: Date): Promise<number> {
    const [run] = (await this.redis.eval(BEGIN_FREEZE, 1, this.keys.broadcast(id), now.toISOString())) as [number, string];
    return run;
  }

  /** De-duplicates the users of one audience preview. */
  previewScratch(): ScratchSet {
    const key = this.keys.audienceScratch(randomBytes(8).toString('hex'));
    return { firstSeen: (members) => this.firstSeen(key, members), drop: async () => void (await this.redis.unlink(key)) };
  }

  /** The users a freezing run has already taken (dropped when the run publishes or loses). */
  firstSeenInRun(id: string, run: number, members: string[]): Promise<boolean[]> {
    return this.firstSeen(this.keys.broadcastSeen(id, run), members);
  }

  /** Adds members to a scratch set (a day's TTL); true where a member was not in it before. */
  private async firstSeen(setKey: string, members: string[]): Promise<boolean[]> {
    if (members.length === 0) return [];
    const added = (await this.redis.eval(FIRST_SEEN, 1, setKey, ...members)) as number[];
    return added.map((n) => n === 1);
  }

  async writeChunks(id: string, run: number, chunks: readonly Chunk[]): Promise<void> {
    if (chunks.length === 0) return;
    const key = this.keys.broadcastChunks(id, run);
    const fields = Object.fromEntries(chunks.map((c) => [chunkName(c.channel, c.n), encodeChunk(c)]));
    await this.redis.multi().hset(key, fields).expire(key, WORK_TTL_SECONDS).exec();
  }

  /** Publishes a run's chunks; false if a newer run or a cancel came first (then its data is dropped). */
  async finishFreeze(id: string, run: number, summary: FreezeSummary, now: Date): Promise<boolean> {
    const stale: string[] = [this.keys.broadcastSeen(id, run)];
    for (let older = 1; older < run; older++) stale.push(this.keys.broadcastChunks(id, older), this.keys.broadcastSeen(id, older));
    const chunksTotal = Object.values(summary.chunks).reduce((sum, n) => sum + n, 0);
    const ok = await this.redis.eval(
      FINISH_FREEZE,
      1 + stale.length,
      this.keys.broadcast(id),
      ...stale,
      String(run),
      now.toISOString(),
      String(summary.counts.total),
      JSON.stringify(summary.counts),
      JSON.stringify(summary.chunks),
      String(chunksTotal),
    );
    if (ok !== 1) await this.redis.del(this.keys.broadcastChunks(id, run), this.keys.broadcastSeen(id, run));
    return ok === 1;
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
      if (frozenRun) await this.redis.del(this.keys.broadcastChunks(id, Number(frozenRun)));
    }
    return result;
  }
}
