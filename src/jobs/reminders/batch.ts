/**
 * Sends a batch: the reminders due in one second that say the same words, worded ahead by
 * their own jobs (which joined the batch and finished). At the due second the batch is
 * closed, and who gets it is decided once and frozen:
 * - a member whose session is unchanged since the wording, and who has not blocked the bot,
 *   is sent the batch's words in a multicast (a push when alone), whose retry key derives
 *   from the batch job and the chunk, so a retry after a crash sends nothing twice;
 * - a member whose session changed (a new meeting time, cancelled reminders, any answer) is
 *   stepped and pushed on their own, like a reminder that was never batched: it says
 *   nothing if the reminder is no longer planned, else the words as they are now;
 * - a member who blocked the bot or cannot be reached is left out.
 * Once sent, each member's conversation takes the step the words belong to (the reminder
 * leaves the plan; the follow-up question becomes the open one), so the session never runs
 * ahead of what the user has seen.
 */
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import type { ChannelSender } from '../../channels/types.ts';
import type { PlannedReminder } from '../../conversation/reminder-plan.ts';
import type { ConversationService } from '../../conversation/service.ts';
import type { Channel, Locale, Outbound, UserRef } from '../../conversation/types.ts';
import type { ReminderBatches } from '../../store/reminder-batches.ts';
import type { Store } from '../../store/types.ts';
import { pushReminder, stepAndPush, type ReminderOutcome } from './delivery.ts';
import type { SendsFirst } from './sends-first.ts';

export const BATCH_JOB = 'batch';

export interface ReminderBatchData {
  batch: { due: number; group: string; channel: Channel; locale: Locale; timeZone: string; messages: Outbound[] };
}

/** A member's entry in its batch: the session version its words were computed on. */
export interface BatchMember {
  user: UserRef;
  reminder: PlannedReminder;
  version: number;
}

/** Job ids: sent the batch's words, stepped and pushed on their own, left out. */
interface BatchPlan {
  send: string[];
  own: string[];
  skip: string[];
}

export interface BatchDeps {
  store: Store;
  batches: ReminderBatches;
  conversations: ConversationService;
  senders: Partial<Record<Channel, ChannelSender>>;
  logger: Logger;
  report: (outcome: ReminderOutcome, member: BatchMember) => void;
  /** Shared by the batches of one worker process. */
  pacing: SendsFirst;
}

export async function sendBatch(deps: BatchDeps, job: Job<ReminderBatchData>): Promise<void> {
  const { channel } = job.data.batch;
  const sender = deps.senders[channel];
  if (!sender?.multicast) throw new Error(`no multicast on ${channel}`);
  const log = deps.logger.child({ batch: job.id });
  const { plan, member } = await deps.pacing.send(() => send(deps, job, sender, log));
  await Promise.all(
    plan.send.map((id) =>
      deps.pacing.step(async () => {
        const { user, reminder } = member(id);
        await deps.conversations.handle(user, { kind: 'reminder', reminder }).catch((error: unknown) => {
          log.warn({ err: error }, 'reminder sent but its conversation step failed');
        });
      }),
    ),
  );
}

async function send(deps: BatchDeps, job: Job<ReminderBatchData>, sender: ChannelSender, log: Logger) {
  const { due, group, locale, timeZone, messages } = job.data.batch;
  const closed = await deps.batches.close(due, group);
  const members = new Map([...closed.members].map(([id, entry]) => [id, JSON.parse(entry) as BatchMember]));
  const frozen = closed.plan ?? (await deps.batches.freeze(due, group, JSON.stringify(await planFor(deps, members))));
  const plan = JSON.parse(frozen) as BatchPlan;
  const member = (id: string) => members.get(id)!;

  if (plan.send.length === 1) {
    const [id] = plan.send as [string];
    deps.report(await pushReminder(sender, member(id).user, messages, id, log), member(id));
  } else if (plan.send.length > 1) {
    const size = sender.multicastSize ?? 1;
    const chunks = Array.from({ length: Math.ceil(plan.send.length / size) }, (_, i) => plan.send.slice(i * size, (i + 1) * size));
    const results = await Promise.all(
      chunks.map((ids, i) => sender.multicast!(ids.map((id) => member(id).user.id), messages, { retryKey: `${job.id}#${i}`, locale, timeZone })),
    );
    const failed = results.find((r) => !r.ok);
    if (failed && !failed.ok) throw new Error(`multicast failed: ${failed.detail ?? failed.reason}`);
    for (const id of plan.send) deps.report('sent', member(id));
  }
  log.info({ sent: plan.send.length, own: plan.own.length, skipped: plan.skip.length, lateMs: Date.now() - job.timestamp - (job.opts.delay ?? 0) }, 'reminder batch sent');
  for (const id of plan.skip) deps.report('blocked', member(id));

  await Promise.all(plan.own.map(async (id) => deps.report(await stepAndPush(deps.conversations, sender, { ...member(id), jobId: id }, log), member(id))));
  return { plan, member };
}

async function planFor(deps: BatchDeps, members: Map<string, BatchMember>): Promise<BatchPlan> {
  const entries = [...members];
  const [versions, records] = await Promise.all([
    deps.batches.sessionVersions(entries.map(([, m]) => m.user)),
    Promise.all(entries.map(([, m]) => deps.store.users.get(m.user))),
  ]);
  const plan: BatchPlan = { send: [], own: [], skip: [] };
  entries.forEach(([id, m], i) => {
    if (records[i]?.blocked || records[i]?.unreachable) plan.skip.push(id);
    else if (versions[i] !== m.version) plan.own.push(id);
    else plan.send.push(id);
  });
  return plan;
}
