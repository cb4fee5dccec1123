/**
 * Mirrors each user's reminder plan (kept in the session) into BullMQ delayed jobs.
 * `sync` handles the `remindersChanged` effect and `cancelAll` the `deleteData` one (see the
 * effect map in runtime.ts); ids are deterministic, so running it twice for the same plan
 * changes nothing.
 */
import { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { PlannedReminder } from '../../conversation/reminder-plan.ts';
import type { UserRef } from '../../conversation/types.ts';
import type { InsightsRecorder } from '../../insights/recorder.ts';
import { userTag } from '../../observability/logger.ts';
import type { QueueConnection } from '../../store/redis-connection.ts';
import type { ReminderIndex } from '../../store/reminder-index.ts';
import { reminderJobId } from './job-ids.ts';

export const REMINDER_QUEUE = 'reminders';

/**
 * Jobs fire this long before their reminder is due: the worker words the reminder then and
 * puts it in the batch of its due second and words (worker.ts), so thousands due in the same
 * second (every "evening before" of a day) go out within that second as a few multicasts
 * instead of queueing behind each other's conversation work.
 */
export const PREPARE_LEAD_MS = 30_000;

export interface ReminderJobData {
  user: UserRef;
  reminder: PlannedReminder;
  /** Set by workers from before batches, which stepped the conversation when wording: only the push is left. */
  messages?: unknown[];
}

export interface ReminderSchedulerOptions {
  /** A Queue never blocks on its connection; the store's is fine (its queueConnection()). */
  bull: QueueConnection;
  /** Which jobs each user has, so a new plan replaces the old one exactly. */
  index: ReminderIndex;
  logger: Logger;
  clock?: () => Date;
  /** Counts reminders put on the schedule, for the staff's insights. */
  insights?: Pick<InsightsRecorder, 'remindersPlanned'>;
}

export class ReminderScheduler {
  readonly queue: Queue<ReminderJobData>;
  private readonly options: ReminderSchedulerOptions;
  private readonly clock: () => Date;

  constructor(options: ReminderSchedulerOptions) {
    this.options = options;
    this.clock = options.clock ?? (() => new Date());
    this.queue = new Queue<ReminderJobData>(REMINDER_QUEUE, options.bull);
  }

  /** Makes the jobs on Redis match `reminders` exactly. */
  async sync(user: UserRef, reminders: PlannedReminder[]): Promise<void> {
    const { index, logger } = this.options;
    const wanted = new Map(reminders.map((r) => [reminderJobId(user, r), r]));
    const existing = await index.ids(user);
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
          delay: Math.max(0, Date.parse(reminder.at) - PREPARE_LEAD_MS - now),
          attempts: 8,
          backoff: { type: 'exponential', delay: 5_000 },
          removeOnComplete: { age: 7 * 86_400 },
          removeOnFail: { age: 30 * 86_400 },
        },
      );
    }
    await index.replace(user, Object.fromEntries([...wanted].map(([id, r]) => [id, r.at])));
    await this.options.insights?.remindersPlanned([...wanted].filter(([id]) => !existing.includes(id)).map(([, r]) => r));
    logger.debug({ user: userTag(user), reminders: reminders.map((r) => r.kind) }, 'reminders synced');
  }

  async cancelAll(user: UserRef): Promise<void> {
    const { index } = this.options;
    for (const id of await index.ids(user)) await this.removeJob(id);
    await index.remove(user);
  }

  /** The scheduled jobs of a user, soonest first (for App Home and diagnostics). */
  list(user: UserRef): Promise<{ id: string; at: string }[]> {
    return this.options.index.list(user);
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
