/**
 * Batches of reminders due in the same second with the same words, sent as one multicast.
 * A reminder joins its batch while the batch is open; the batch's sender closes it (no one
 * joins after), decides once who it sends to, and freezes that plan, so however often the
 * sending is retried (a crash, `kill -9`) it sends the same requests with the same retry keys.
 */
import type { UserRef } from '../conversation/types.ts';
import type { RedisKeys } from './keys.ts';
import type { RedisClient } from './redis-connection.ts';

/** A member's entry is `member` (opaque JSON, the caller's); a reminder is in one batch at most. */
const JOIN = `
if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
local batch = redis.call('HGET', KEYS[1], ARGV[1])
if batch and batch ~= ARGV[2] then return 1 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[4])
return 1`;

/** Returns the frozen plan ('' while none) and every member; closes the batch if it was open. */
const CLOSE = `
local plan = redis.call('GET', KEYS[2])
if not plan then
  redis.call('SET', KEYS[2], '', 'EX', ARGV[1])
  plan = ''
end
return { plan, redis.call('HGETALL', KEYS[1]) }`;

/** The first plan frozen wins: a second sender of the same batch gets it back. */
const FREEZE = `
local plan = redis.call('GET', KEYS[1])
if plan and plan ~= '' then return plan end
redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL')
return ARGV[1]`;

/** A batch's keys outlive its sending and the retries of a failed sending (about 11 minutes). */
const TTL_SECONDS = 3_600;

type BatchRedis = RedisClient & {
  reminderBatchJoin(memberOf: string, members: string, plan: string, jobId: string, group: string, member: string, ttl: number): Promise<number>;
  reminderBatchClose(members: string, plan: string, ttl: number): Promise<[string, string[]]>;
  reminderBatchFreeze(plan: string, value: string): Promise<string>;
};

export class ReminderBatches {
  private readonly redis: BatchRedis;
  private readonly keys: RedisKeys;

  constructor(redis: RedisClient, keys: RedisKeys) {
    this.redis = redis as BatchRedis;
    this.keys = keys;
    this.redis.defineCommand('reminderBatchJoin', { numberOfKeys: 3, lua: JOIN });
    this.redis.defineCommand('reminderBatchClose', { numberOfKeys: 2, lua: CLOSE });
    this.redis.defineCommand('reminderBatchFreeze', { numberOfKeys: 1, lua: FREEZE });
  }

  /**
   * Puts the reminder `jobId` in batch `group` of second `due` (again: its entry is replaced).
   * False when that batch is closed already. A reminder already in another batch of the
   * second stays there (true): that batch's sender finds its session changed since.
   */
  async join(due: number, group: string, jobId: string, member: string): Promise<boolean> {
    const k = this.keys.reminderBatches(due);
    return (await this.redis.reminderBatchJoin(k.memberOf, k.members(group), k.plan(group), jobId, group, member, TTL_SECONDS)) === 1;
  }

  /** Closes the batch; its plan if one is frozen, and its members (job id -> entry). */
  async close(due: number, group: string): Promise<{ plan?: string; members: Map<string, string> }> {
    const k = this.keys.reminderBatches(due);
    const [plan, flat] = await this.redis.reminderBatchClose(k.members(group), k.plan(group), TTL_SECONDS);
    const members = new Map<string, string>();
    for (let i = 0; i < flat.length; i += 2) members.set(flat[i]!, flat[i + 1]!);
    return { ...(plan ? { plan } : {}), members };
  }

  /** Freezes the plan of a closed batch; the plan that holds (an earlier sender's, if any). */
  freeze(due: number, group: string, plan: string): Promise<string> {
    return this.redis.reminderBatchFreeze(this.keys.reminderBatches(due).plan(group), plan);
  }

  /**
   * The version of each user's session (0: none), read in one round trip: sent together,
   * not as one pipeline, as users' sessions live in many hash slots on a Redis Cluster.
   */
  async sessionVersions(users: readonly UserRef[]): Promise<number[]> {
    const versions = await Promise.all(users.map((user) => this.redis.hget(this.keys.session(user), 'v')));
    return versions.map((value) => Number(value ?? 0));
  }
}
