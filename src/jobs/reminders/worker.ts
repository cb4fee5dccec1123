/**
 * Delivers due reminders. A reminder goes through the conversation service like a user
 * message (so it never races a tap on the same session), then out through the channel's
 * sender with a retry key derived from the job id (so a retried job never double-sends).
 */
import { DelayedError, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { ChannelSender } from '../../channels/types.ts';
import { deliveryDecision, type DropReason, type ReminderSettings } from '../../conversation/reminder-plan.ts';
import type { ConversationService } from '../../conversation/service.ts';
import type { Channel, Outbound } from '../../conversation/types.ts';
import type { InsightsRecorder, ReminderResult } from '../../insights/recorder.ts';
import { userTag } from '../../observability/logger.ts';
import { logWorkerError } from '../../observability/redis-events.ts';
import type { QueueConnection } from '../../store/redis-connection.ts';
import type { Store } from '../../store/types.ts';
import { limiterFor } from '../limiter.ts';
import { REMINDER_QUEUE, type ReminderJobData } from './scheduler.ts';

export type ReminderOutcome = 'sent' | 'stale' | 'dropped' | 'blocked' | 'no-channel';

export interface ReminderWorkerOptions {
  /** BullMQ workers block on their connection: give them one of their own (the store's workerConnection()). */
  bull: QueueConnection;
  store: Store;
  conversations: ConversationService;
  senders: Partial<Record<Channel, ChannelSender>>;
  settings: ReminderSettings;
  logger: Logger;
  clock?: () => Date;
  concurrency?: number;
  /**
   * How long a job stays locked to a worker without renewal; after a crash (kill -9) the job
   * is taken over once this has passed. BullMQ's default (30 s) suits production.
   */
  lockDurationMs?: number;
  /** Called after each job with what happened (metrics, tests). */
  onOutcome?: (outcome: ReminderOutcome, job: Job<ReminderJobData>) => void;
  /** Counts what became of each reminder (sent, skipped and why, failed for good) for the staff's insights. */
  insights?: Pick<InsightsRecorder, 'reminderDone'>;
}

/**
 * Jobs in flight per worker. Each spends most of its time waiting on Redis and on LINE, so
 * a burst (every "evening before" reminder of a day falls in the same second) needs many at
 * once to be sent within a second; LINE's push limit (2,000 requests per second) is far.
 */
export const DEFAULT_CONCURRENCY = 200;

/**
 * Job starts per second on the reminders queue, across every worker (BullMQ's limiter is
 * shared on Redis): under LINE's 2,000 pushes a second with room for the retries of the
 * same second. A job starts once to word its reminder (in the lead) and once to push it.
 */
export const REMINDER_STARTS_PER_SECOND = 1_900;

/** Why a reminder dropped when it came due, as the staff's insights group it. */
const SKIPPED: Record<DropReason, ReminderResult> = { 'too late': 'tooLate', 'meeting started': 'tooLate', 'quiet hours until too late': 'quietHours' };

export function createReminderWorker(options: ReminderWorkerOptions): Worker<ReminderJobData, ReminderOutcome> {
  const clock = options.clock ?? (() => new Date());
  const { logger } = options;

  /** Puts the job back in the delayed set until `at` (on this worker's clock, which tests shift). */
  async function waitUntil(job: Job<ReminderJobData>, token: string | undefined, at: number): Promise<never> {
    await job.moveToDelayed(Date.now() + Math.max(0, at - clock().getTime()), token);
    throw new DelayedError();
  }

  /**
   * Decides and words the reminder, as it would be at its due time, and keeps the words in
   * the job: the scheduler fires jobs PREPARE_LEAD_MS early, so a burst is worded before it
   * is due and only the pushes are left for the due second.
   */
  async function prepare(job: Job<ReminderJobData>, token: string | undefined, log: Logger): Promise<Outbound[] | ReminderOutcome> {
    const { user, reminder } = job.data;
    const record = await options.store.users.get(user);
    if (record?.blocked || record?.unreachable) {
      log.info('user blocked the bot or is unreachable; reminder not sent');
      return 'blocked';
    }
    const session = await options.store.sessions.get(user);
    const timeZone = session?.value.timeZone ?? record?.timeZone ?? 'Asia/Tokyo';
    const meetingAt = reminder.meetingAt ? new Date(reminder.meetingAt) : undefined;
    const at = new Date(Math.max(clock().getTime(), Date.parse(reminder.at)));
    const decision = deliveryDecision(reminder, meetingAt, at, timeZone, options.settings);
    if (decision.action === 'drop') {
      log.info({ reason: decision.reason }, 'reminder dropped');
      await options.insights?.reminderDone(reminder.kind, SKIPPED[decision.reason]);
      return 'dropped';
    }
    if (decision.action === 'defer') {
      log.info({ until: decision.until.toISOString() }, 'reminder deferred');
      return waitUntil(job, token, decision.until.getTime());
    }
    const result = await options.conversations.handle(user, { kind: 'reminder', reminder });
    if (result.messages.length === 0) {
      log.info('reminder no longer planned (rescheduled or cancelled)');
      return 'stale';
    }
    await job.updateData({ ...job.data, messages: result.messages });
    return result.messages;
  }

  async function process(job: Job<ReminderJobData>, token?: string): Promise<ReminderOutcome> {
    const { user, reminder } = job.data;
    const log = logger.child({ user: userTag(user), reminder: reminder.kind, jobId: job.id });
    const sender = options.senders[user.channel];
    if (!sender) {
      log.warn('no sender for this channel; reminder dropped');
      return 'no-channel';
    }
    let messages = job.data.messages as Outbound[] | undefined;
    if (!messages) {
      const prepared = await prepare(job, token, log);
      if (typeof prepared === 'string') return prepared;
      messages = prepared;
    }
    // Worded ahead of time: wait for the due instant. (The sender refuses blocked users itself.)
    if (clock().getTime() < Date.parse(reminder.at)) return waitUntil(job, token, Date.parse(reminder.at));

    const pushed = await sender.push(user, messages, { retryKey: String(job.id) });
    if (pushed.ok) {
      log.info({ lateMs: clock().getTime() - Date.parse(reminder.at) }, 'reminder sent');
      return 'sent';
    }
    if (pushed.reason === 'failed') throw new Error(`push failed: ${pushed.detail ?? 'unknown'}`);
    log.info({ reason: pushed.reason }, 'reminder not delivered');
    return 'blocked';
  }

  const worker = new Worker<ReminderJobData, ReminderOutcome>(REMINDER_QUEUE, process, {
    ...options.bull,
    concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    limiter: limiterFor(REMINDER_STARTS_PER_SECOND),
    ...(options.lockDurationMs ? { lockDuration: options.lockDurationMs, stalledInterval: options.lockDurationMs } : {}),
  });
  worker.on('completed', (job, outcome) => {
    options.onOutcome?.(outcome, job);
    if (outcome === 'sent' || outcome === 'blocked') void options.insights?.reminderDone(job.data.reminder.kind, outcome);
  });
  worker.on('failed', (job, error) => {
    if (job) logger.warn({ jobId: job.id, attempts: job.attemptsMade, err: error }, 'reminder job failed');
    // A delayed retry fires 'failed' too; only the last attempt is a reminder that failed.
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) void options.insights?.reminderDone(job.data.reminder.kind, 'failed');
  });
  worker.on('error', (error) => logWorkerError(logger, error, 'reminder worker error'));
  return worker;
}
