/**
 * Mirrors each user's reminder plan (kept in the session) into BullMQ delayed jobs.
 * Runs as an effect handler after the session is saved; ids are deterministic, so running
 * it twice for the same plan changes nothing.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { PlannedReminder } from '../../conversation/reminder-plan.ts';
import type { EffectHandler } from '../../conversation/service.ts';
import type { UserRef } from '../../conversation/types.ts';
import { userTag } from '../../observability/logger.ts';
import type { RedisKeys } from '../../store/keys.ts';
import { reminderJobId } from './job-ids.ts';

export const REMINDER_QUEUE = 'reminders';

export interface ReminderJobData {
  user: UserRef;
  reminder: PlannedReminder;
  /** Filled on the first attempt, so a retried push sends exactly what the first one meant to. */
  messages?: unknown[];
}

export interface ReminderSchedulerOptions {
  /** A connection BullMQ may block on is not needed for a Queue; the store's is fine. */
  connection: Redis;
  keys: RedisKeys;
  logger: Logger;
  clock?: () => Date;
}

export class ReminderScheduler {
  readonly queue: Queue<ReminderJobData>;
  private readonly options: ReminderSchedulerOptions;
  private readonly clock: () => Date;

  constructor(options: ReminderSchedulerOptions) {
    this.options = options;
    this.clock = options.clock ?? (() => new Date());
    this.queue = new Queue<ReminderJobData>(REMINDER_QUEUE, {
      connection: options.connection,
      prefix: options.keys.queuePrefix,
    });
  }

  /** The effect handler to give the conversation service. */
  readonly handleEffects: EffectHandler = async (user, effects, session) => {
    if (session === null || effects.some((e) => e.type === 'deleteData')) return this.cancelAll(user);
    const change = effects.findLast((e) => e.type === 'remindersChanged');
    if (change?.type === 'remindersChanged') await this.sync(user, change.reminders);
  };

  /** Makes the jobs on Redis match `reminders` exactly. */
  async sync(user: UserRef, reminders: PlannedReminder[]): Promise<void> {
    const { connection, keys, logger } = this.options;
    const indexKey = keys.reminderJobs(user);
    const wanted = new Map(reminders.map((r) => [reminderJobId(user, r), r]));
    const existing = await connection.hkeys(indexKey);
    for (const id of existing) {
      if (!wanted.has(id)) await this.removeJob(id);
    }
    const now = this.clock().getTime();
    for (const [jobId, reminder] of wanted) {
      if (existing.includes(jobId)) continue;
      await this.queue.add(
        reminder.kind,
        { user, reminder },
        {
          jobId,
          delay: Math.max(0, Date.parse(reminder.at) - now),
          attempts: 8,
          backoff: { type: 'exponential', delay: 5_000 },
          removeOnComplete: { age: 7 * 86_400 },
          removeOnFail: { age: 30 * 86_400 },
        },
      );
    }
    const tx = connection.multi().del(indexKey);
    if (wanted.size) tx.hset(indexKey, Object.fromEntries([...wanted].map(([id, r]) => [id, r.at])));
    await tx.exec();
    logger.debug({ user: userTag(user), reminders: reminders.map((r) => r.kind) }, 'reminders synced');
  }

  async cancelAll(user: UserRef): Promise<void> {
    const indexKey = this.options.keys.reminderJobs(user);
    for (const id of await this.options.connection.hkeys(indexKey)) await this.removeJob(id);
    await this.options.connection.del(indexKey);
  }

  /** The scheduled jobs of a user, soonest first (for App Home and diagnostics). */
  async list(user: UserRef): Promise<{ id: string; at: string }[]> {
    const entries = await this.options.connection.hgetall(this.options.keys.reminderJobs(user));
    return Object.entries(entries)
      .map(([id, at]) => ({ id, at }))
      .sort((a, b) => a.at.localeCompare(b.at));
  }

  private async removeJob(id: string): Promise<void> {
    // A job being processed right now is locked and cannot be removed; the worker's
    // check against the session plan makes sure it sends nothing stale.
    await this.queue.remove(id).catch((error: unknown) => {
      this.options.logger.debug({ jobId: id, err: error }, 'reminder job not removed (running)');
    });
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
