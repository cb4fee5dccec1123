/**
 * Which reminder jobs are scheduled for each user: a small hash per user (job id -> due
 * instant), so the scheduler can make the queue match a new plan, and a deletion can find
 * every job to cancel, without searching the queue.
 */
import type { RedisClient } from './redis-connection.ts';
import type { UserRef } from '../conversation/types.ts';
import type { RedisKeys } from './keys.ts';

export class ReminderIndex {
  private readonly redis: RedisClient;
  private readonly keys: RedisKeys;

  constructor(redis: RedisClient, keys: RedisKeys) {
    this.redis = redis;
    this.keys = keys;
  }

  /** The job ids indexed for a user. */
  ids(user: UserRef): Promise<string[]> {
    return this.redis.hkeys(this.keys.reminderJobs(user));
  }

  /** Replaces a user's index with these jobs (job id -> ISO due instant). */
  async replace(user: UserRef, jobs: Record<string, string>): Promise<void> {
    const key = this.keys.reminderJobs(user);
    const tx = this.redis.multi().del(key);
    if (Object.keys(jobs).length) tx.hset(key, jobs);
    await tx.exec();
  }

  async remove(user: UserRef): Promise<void> {
    await this.redis.del(this.keys.reminderJobs(user));
  }

  /** The scheduled jobs of a user, soonest first. */
  async list(user: UserRef): Promise<{ id: string; at: string }[]> {
    const entries = await this.redis.hgetall(this.keys.reminderJobs(user));
    return Object.entries(entries)
      .map(([id, at]) => ({ id, at }))
      .sort((a, b) => a.at.localeCompare(b.at));
  }
}
