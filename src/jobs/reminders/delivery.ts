/**
 * One reminder to one user: stepped through the conversation service (so it never races a
 * tap on the same session) and pushed with a retry key derived from its job id (so a
 * retried job never double-sends).
 */
import type { Logger } from 'pino';
import type { ChannelSender } from '../../channels/types.ts';
import type { PlannedReminder } from '../../conversation/reminder-plan.ts';
import type { ConversationService } from '../../conversation/service.ts';
import type { Outbound, UserRef } from '../../conversation/types.ts';

export type ReminderOutcome = 'sent' | 'stale' | 'dropped' | 'blocked' | 'no-channel';

/** Pushes `messages`; 'sent' or 'blocked', or throws so the job is tried again. */
export async function pushReminder(sender: ChannelSender, user: UserRef, messages: Outbound[], jobId: string, log: Logger): Promise<ReminderOutcome> {
  const pushed = await sender.push(user, messages, { retryKey: jobId });
  if (pushed.ok) return 'sent';
  if (pushed.reason === 'failed') throw new Error(`push failed: ${pushed.detail ?? 'unknown'}`);
  log.info({ reason: pushed.reason }, 'reminder not delivered');
  return 'blocked';
}

/**
 * Steps the reminder now and pushes what it says. The step is saved with the job as its
 * event id, so a job that died between the step and the push pushes the same words again
 * (with the same retry key) instead of finding the reminder already fired.
 */
export async function stepAndPush(
  conversations: ConversationService,
  sender: ChannelSender,
  member: { user: UserRef; reminder: PlannedReminder; jobId: string },
  log: Logger,
): Promise<ReminderOutcome> {
  const { user, reminder, jobId } = member;
  const result = await conversations.handle(user, { kind: 'reminder', reminder }, {}, { eventId: `reminder:${jobId}` });
  if (result.messages.length === 0) {
    log.info('reminder no longer planned (rescheduled or cancelled)');
    return 'stale';
  }
  return pushReminder(sender, user, result.messages, jobId, log);
}
