/**
 * Delivers due reminders. A reminder's job fires PREPARE_LEAD_MS before it is due and words
 * it without stepping the conversation (ConversationService.preview). On a channel with
 * multicast it then joins the batch of its due second and words (batch.ts), which sends it
 * to everyone at once; otherwise, or when it comes too late for its batch, it waits for the
 * due second and is stepped and pushed on its own (delivery.ts).
 */
import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { ChannelSender } from '../../channels/types.ts';
import { deliveryDecision, type DropReason, type PlannedReminder, type ReminderSettings } from '../../conversation/reminder-plan.ts';
import type { ConversationService } from '../../conversation/service.ts';
import type { Channel, Outbound, UserRef } from '../../conversation/types.ts';
import type { InsightsRecorder, ReminderResult } from '../../insights/recorder.ts';
import { userTag } from '../../observability/logger.ts';
import { logWorkerError } from '../../observability/redis-events.ts';
import type { QueueConnection } from '../../store/redis-connection.ts';
import type { ReminderBatches } from '../../store/reminder-batches.ts';
import type { Store } from '../../store/types.ts';
import { limiterFor } from '../limiter.ts';
import { BATCH_JOB, sendBatch, type BatchMember, type ReminderBatchData } from './batch.ts';
import { pushReminder, stepAndPush, type ReminderOutcome } from './delivery.ts';
import { reminderBatchJobId, wordsGroup } from './job-ids.ts';
import { SendsFirst } from './sends-first.ts';
import { REMINDER_QUEUE, type ReminderJobData } from './scheduler.ts';

export type { ReminderOutcome } from './delivery.ts';

type ReminderQueueData = ReminderJobData | ReminderBatchData;

/** Whom a finished reminder was for (a job's data, or a batch member's). */
export interface FinishedReminder {
  data: { user: UserRef; reminder: PlannedReminder };
}

export interface ReminderWorkerOptions {
  /** BullMQ workers block on their connection: give them one of their own (the store's workerConnection()). */
  bull: QueueConnection;
  store: Store;
  /** Where reminders due in the same second with the same words meet (the store's reminderBatches). */
  batches: ReminderBatches;
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
  /** Called once each reminder is done with, with what happened (metrics, tests). */
  onOutcome?: (outcome: ReminderOutcome, reminder: FinishedReminder) => void;
  /** Counts what became of each reminder (sent, skipped and why, failed for good) for the staff's insights. */
  insights?: Pick<InsightsRecorder, 'reminderDone'>;
}

/**
 * Jobs in flight per worker. Each spends most of its time waiting on Redis and on the
 * platform, so many at once keep a worker busy when reminders with different words come due
 * together (each a batch of its own, or a push).
 */
export const DEFAULT_CONCURRENCY = 200;

/**
 * Job starts per second on the reminders queue, across every worker (BullMQ's limiter is
 * shared on Redis): under LINE's 2,000 pushes a second with room for the retries of the
 * same second. A reminder's job starts once to word it (in the lead) and, unless it joined
 * a batch, once more to push it; a batch job starts once for all its members.
 */
export const REMINDER_STARTS_PER_SECOND = 1_900;

/** Conversation steps at once, per worker, after their batches are sent. */
const STEPS_AFTER_SENDING = 16;

/** Why a reminder dropped when it came due, as the staff's insights group it. */
const SKIPPED: Record<DropReason, ReminderResult> = { 'too late': 'tooLate', 'meeting started': 'tooLate', 'quiet hours until too late': 'quietHours' };

type Prepared = ReminderOutcome | 'batched';

export function createReminderWorker(options: ReminderWorkerOptions): Worker<ReminderQueueData, Prepared | undefined> {
  const clock = options.clock ?? (() => new Date());
  const { logger } = options;
  // Batch jobs are added where their first member is worded, on the reminders queue itself.
  const queue = new Queue<ReminderQueueData>(REMINDER_QUEUE, options.bull);
  const pacing = new SendsFirst(STEPS_AFTER_SENDING);

  /** Real milliseconds until `at` on this worker's clock (which tests shift). */
  const realDelay = (at: number) => Math.max(0, at - clock().getTime());

  function report(outcome: ReminderOutcome, member: { user: UserRef; reminder: PlannedReminder }): void {
    options.onOutcome?.(outcome, { data: member });
    if (outcome === 'sent' || outcome === 'blocked') void options.insights?.reminderDone(member.reminder.kind, outcome);
  }

  /** Puts the job back in the delayed set until `at`. */
  async function waitUntil(job: Job, token: string | undefined, at: number): Promise<never> {
    await job.moveToDelayed(Date.now() + realDelay(at), token);
    throw new DelayedError();
  }

  async function remind(job: Job<ReminderJobData>, token: string | undefined): Promise<Prepared> {
    const { user, reminder } = job.data;
    const jobId = String(job.id);
    const log = logger.child({ user: userTag(user), reminder: reminder.kind, jobId });
    const sender = options.senders[user.channel];
    if (!sender) {
      log.warn('no sender for this channel; reminder dropped');
      return 'no-channel';
    }
    const due = Date.parse(reminder.at);
    if (job.data.messages) {
      // Worded and stepped by a worker from before batches: only its push is left.
      if (clock().getTime() < due) return waitUntil(job, token, due);
      return pushReminder(sender, user, job.data.messages as Outbound[], jobId, log);
    }
    const record = await options.store.users.get(user);
    if (record?.blocked || record?.unreachable) {
      log.info('user blocked the bot or is unreachable; reminder not sent');
      return 'blocked';
    }
    const words = await options.conversations.preview(user, { kind: 'reminder', reminder });
    const meetingAt = reminder.meetingAt ? new Date(reminder.meetingAt) : undefined;
    const decision = deliveryDecision(reminder, meetingAt, new Date(Math.max(clock().getTime(), due)), words.timeZone, options.settings);
    if (decision.action === 'drop') {
      log.info({ reason: decision.reason }, 'reminder dropped');
      await options.insights?.reminderDone(reminder.kind, SKIPPED[decision.reason]);
      return 'dropped';
    }
    if (decision.action === 'defer') {
      log.info({ until: decision.until.toISOString() }, 'reminder deferred');
      return waitUntil(job, token, decision.until.getTime());
    }
    // Due: step and push now. (Before the check below: a job that died between its step and
    // its push finds the reminder fired already, and stepAndPush replays the step's words.)
    if (clock().getTime() >= due) return stepAndPush(options.conversations, sender, { user, reminder, jobId }, log);
    if (words.messages.length === 0) {
      log.info('reminder no longer planned (rescheduled or cancelled)');
      return 'stale';
    }
    if (sender.multicast) {
      const group = wordsGroup(user.channel, words.locale, words.timeZone, words.messages);
      const member: BatchMember = { user, reminder, version: words.version };
      if (await options.batches.join(due, group, jobId, JSON.stringify(member))) {
        const batch: ReminderBatchData['batch'] = { due, group, channel: user.channel, locale: words.locale, timeZone: words.timeZone, messages: words.messages };
        // Every member adds it (the id makes the repeats no-ops), so a member that died
        // after joining is still sent when its job is retried.
        await queue.add(BATCH_JOB, { batch }, { jobId: reminderBatchJobId(due, group), delay: realDelay(due), ...JOB_RETRIES });
        return 'batched';
      }
    }
    return waitUntil(job, token, due);
  }

  async function process(job: Job<ReminderQueueData>, token?: string): Promise<Prepared | undefined> {
    if (job.name === BATCH_JOB) {
      await sendBatch({ ...options, report, pacing }, job as Job<ReminderBatchData>);
      return undefined;
    }
    return remind(job as Job<ReminderJobData>, token);
  }

  const worker = new Worker<ReminderQueueData, Prepared | undefined>(REMINDER_QUEUE, process, {
    ...options.bull,
    concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    limiter: limiterFor(REMINDER_STARTS_PER_SECOND),
    ...(options.lockDurationMs ? { lockDuration: options.lockDurationMs, stalledInterval: options.lockDurationMs } : {}),
  });
  worker.on('completed', (job, outcome) => {
    if (outcome && outcome !== 'batched' && 'user' in job.data) report(outcome, job.data);
  });
  worker.on('failed', (job, error) => {
    if (job) logger.warn({ jobId: job.id, attempts: job.attemptsMade, err: error }, 'reminder job failed');
    // A delayed retry fires 'failed' too; only the last attempt is a reminder that failed.
    if (job && 'user' in job.data && job.attemptsMade >= (job.opts.attempts ?? 1)) void options.insights?.reminderDone(job.data.reminder.kind, 'failed');
  });
  worker.on('error', (error) => logWorkerError(logger, error, 'reminder worker error'));
  queue.on('error', (error) => logWorkerError(logger, error, 'reminder worker error'));
  worker.on('closed', () => void queue.close().catch(() => undefined));
  return worker;
}

/** Retried with backoff as the scheduler's reminder jobs; kept an hour once sent (as the batch's keys). */
const JOB_RETRIES = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: { age: 3_600 },
  removeOnFail: { age: 30 * 86_400 },
};
