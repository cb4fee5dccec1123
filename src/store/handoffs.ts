/**
 * Advisor handoffs on Redis. A record is a hash (each field JSON, like user records); its
 * messages are a hash by id plus a list of ids in order, so a redelivered event or a
 * retried reply finds the message it already wrote. Every key of a handoff lives as long
 * as a conversation does (SESSION_TTL_DAYS) after its last write.
 */
import type { RedisClient } from './redis-connection.ts';
import type { UserRef } from '../conversation/types.ts';
import type { DeliveryState, Handoff, HandoffMessage } from '../handoff/types.ts';
import type { HandoffPatch, HandoffStore, NewHandoff, TakeResult } from './handoff-store.ts';
import type { RedisKeys } from './keys.ts';

const ENDED = JSON.stringify('ended');

/**
 * KEYS: active, record, list, of-user. ARGV: id, ttl seconds, score, the record key of the
 * active id (or ''), field/value pairs. Returns the id that is open.
 */
const OPEN = `
local existing = redis.call('GET', KEYS[1])
if existing and ARGV[4] ~= '' and redis.call('EXISTS', ARGV[4]) == 1 then return existing end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('HSET', KEYS[2], unpack(ARGV, 5))
redis.call('EXPIRE', KEYS[2], ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
redis.call('SADD', KEYS[4], ARGV[1])
redis.call('EXPIRE', KEYS[4], ARGV[2])
return ARGV[1]
`;

/** KEYS: record. ARGV: staff (JSON), at (JSON). */
const TAKE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
if redis.call('HGET', KEYS[1], 'status') == '${ENDED}' then return {0, ''} end
local previous = redis.call('HGET', KEYS[1], 'takenBy') or ''
redis.call('HSET', KEYS[1], 'status', '"taken"', 'takenBy', ARGV[1], 'takenAt', ARGV[2])
return {1, previous}
`;

/** KEYS: record, active. ARGV: id, by (JSON), at (JSON). */
const END = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
if redis.call('HGET', KEYS[1], 'status') == '${ENDED}' then return 0 end
redis.call('HSET', KEYS[1], 'status', '${ENDED}', 'endedBy', ARGV[2], 'endedAt', ARGV[3])
redis.call('HDEL', KEYS[1], 'dueAt')
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 1
`;

/** KEYS: messages, order, record. ARGV: message id, JSON, ttl. Returns 1 when new, else the stored JSON. */
const APPEND = `
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return redis.call('HGET', KEYS[1], ARGV[1]) end
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[3])
redis.call('EXPIRE', KEYS[3], ARGV[3])
return 1
`;

type ScriptRedis = RedisClient & {
  handoffOpen(...args: (string | number)[]): Promise<string>;
  handoffTake(key: string, staff: string, at: string): Promise<[number, string] | null>;
  handoffEnd(record: string, active: string, id: string, by: string, at: string): Promise<number | null>;
  handoffAppend(messages: string, order: string, record: string, id: string, json: string, ttl: number): Promise<number | string>;
};

function encode(fields: Partial<Handoff>): string[] {
  return Object.entries(fields).flatMap(([k, v]) => (v === undefined ? [] : [k, JSON.stringify(v)]));
}

function decode(hash: Record<string, string>): Handoff | undefined {
  if (!hash.id || !hash.user) return undefined;
  return Object.fromEntries(Object.entries(hash).map(([k, v]) => [k, JSON.parse(v)])) as Handoff;
}

export class RedisHandoffs implements HandoffStore {
  private readonly redis: ScriptRedis;
  private readonly keys: RedisKeys;
  private readonly ttlSeconds: number;

  constructor(redis: RedisClient, keys: RedisKeys, ttlSeconds: number) {
    this.redis = redis as ScriptRedis;
    this.keys = keys;
    this.ttlSeconds = ttlSeconds;
    this.redis.defineCommand('handoffOpen', { numberOfKeys: 4, lua: OPEN });
    this.redis.defineCommand('handoffTake', { numberOfKeys: 1, lua: TAKE });
    this.redis.defineCommand('handoffEnd', { numberOfKeys: 2, lua: END });
    this.redis.defineCommand('handoffAppend', { numberOfKeys: 3, lua: APPEND });
  }

  async open(fields: NewHandoff): Promise<{ handoff: Handoff; created: boolean }> {
    const record: Handoff = { ...fields, status: 'open' };
    // The active id's record key travels as an argument: scripts must not build key names.
    const activeId = await this.redis.get(this.keys.handoffActive(fields.user));
    const id = await this.redis.handoffOpen(
      this.keys.handoffActive(fields.user),
      this.keys.handoff(fields.id),
      this.keys.handoffs,
      this.keys.handoffsOf(fields.user),
      fields.id,
      this.ttlSeconds,
      Date.parse(fields.createdAt),
      activeId ? this.keys.handoff(activeId) : '',
      ...encode(record),
    );
    const handoff = await this.get(id);
    if (!handoff) throw new Error('handoff vanished right after it was opened');
    return { handoff, created: id === fields.id };
  }

  async get(id: string): Promise<Handoff | undefined> {
    return decode(await this.redis.hgetall(this.keys.handoff(id)));
  }

  async active(user: UserRef): Promise<Handoff | undefined> {
    const id = await this.redis.get(this.keys.handoffActive(user));
    return id ? this.get(id) : undefined;
  }

  async byThread(channel: string, ts: string): Promise<Handoff | undefined> {
    const id = await this.redis.get(this.keys.handoffThread(channel, ts));
    return id ? this.get(id) : undefined;
  }

  async list(limit: number): Promise<Handoff[]> {
    const ids = await this.redis.zrevrange(this.keys.handoffs, 0, limit - 1);
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.keys.handoff(id));
    const rows = (await pipeline.exec()) ?? [];
    const found = rows.map(([, hash]) => decode(hash as Record<string, string>));
    // Records expire with the retention; their index entries are dropped when met.
    const gone = ids.filter((_, i) => !found[i]);
    if (gone.length) await this.redis.zrem(this.keys.handoffs, ...gone);
    return found.filter((h): h is Handoff => h !== undefined);
  }

  async update(id: string, patch: HandoffPatch): Promise<Handoff | undefined> {
    const key = this.keys.handoff(id);
    if (!(await this.redis.exists(key))) return undefined;
    const set = Object.entries(patch).flatMap(([k, v]) => (v === null || v === undefined ? [] : [k, JSON.stringify(v)]));
    const removed = Object.entries(patch).filter(([, v]) => v === null).map(([k]) => k);
    const tx = this.redis.multi();
    if (set.length) tx.hset(key, ...set);
    if (removed.length) tx.hdel(key, ...removed);
    if (patch.slackChannel && patch.slackTs) tx.set(this.keys.handoffThread(patch.slackChannel, patch.slackTs), id, 'EX', this.ttlSeconds);
    tx.expire(key, this.ttlSeconds);
    await tx.exec();
    return this.get(id);
  }

  async take(id: string, staff: string, at: string): Promise<TakeResult | undefined> {
    const result = await this.redis.handoffTake(this.keys.handoff(id), JSON.stringify(staff), JSON.stringify(at));
    if (!result) return undefined;
    const handoff = await this.get(id);
    if (!handoff) return undefined;
    if (result[0] === 0) return { ok: false, handoff };
    const previous = result[1] ? (JSON.parse(result[1]) as string) : undefined;
    return { ok: true, handoff, ...(previous && previous !== staff ? { previous } : {}) };
  }

  async end(id: string, by: string, at: string): Promise<{ handoff: Handoff; changed: boolean } | undefined> {
    const existing = await this.get(id);
    if (!existing) return undefined;
    const result = await this.redis.handoffEnd(this.keys.handoff(id), this.keys.handoffActive(existing.user), id, JSON.stringify(by), JSON.stringify(at));
    if (result === null) return undefined;
    const handoff = await this.get(id);
    return handoff && { handoff, changed: result === 1 };
  }

  async append(id: string, message: HandoffMessage): Promise<{ message: HandoffMessage; created: boolean }> {
    const result = await this.redis.handoffAppend(
      this.keys.handoffMessages(id),
      this.keys.handoffOrder(id),
      this.keys.handoff(id),
      message.id,
      JSON.stringify(message),
      this.ttlSeconds,
    );
    return result === 1 ? { message, created: true } : { message: JSON.parse(String(result)) as HandoffMessage, created: false };
  }

  async setDelivery(id: string, messageId: string, delivery: DeliveryState, detail?: string): Promise<void> {
    const key = this.keys.handoffMessages(id);
    const stored = await this.redis.hget(key, messageId);
    if (!stored) return;
    const message = { ...(JSON.parse(stored) as HandoffMessage), delivery };
    if (detail !== undefined) message.detail = detail;
    else delete message.detail;
    await this.redis.hset(key, messageId, JSON.stringify(message));
  }

  async messages(id: string): Promise<HandoffMessage[]> {
    const [order, all] = await Promise.all([this.redis.lrange(this.keys.handoffOrder(id), 0, -1), this.redis.hgetall(this.keys.handoffMessages(id))]);
    return order.flatMap((messageId) => (all[messageId] ? [JSON.parse(all[messageId]) as HandoffMessage] : []));
  }

  async deleteForUser(user: UserRef): Promise<void> {
    const ids = await this.redis.smembers(this.keys.handoffsOf(user));
    const threads = await Promise.all(ids.map((id) => this.get(id)));
    const tx = this.redis.multi().del(this.keys.handoffActive(user), this.keys.handoffsOf(user));
    for (const [i, id] of ids.entries()) {
      tx.del(this.keys.handoff(id), this.keys.handoffMessages(id), this.keys.handoffOrder(id)).zrem(this.keys.handoffs, id);
      const thread = threads[i];
      if (thread?.slackChannel && thread.slackTs) tx.del(this.keys.handoffThread(thread.slackChannel, thread.slackTs));
    }
    await tx.exec();
  }
}
