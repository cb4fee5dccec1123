/**
 * The staff side of Slack: a person's reply in a request's thread goes to the user; the
 * take and back-to-the-bot buttons act on the request. Messages in the staff channel
 * outside a request thread, and the bot's own posts, are ignored.
 */
import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import { z } from 'zod';
import { HandoffError, type HandoffService } from '../../handoff/service.ts';
import { STAFF_ACTION_PREFIX, STAFF_END_ACTION, STAFF_TAKE_ACTION } from './staff-blocks.ts';
import { slackTextToPlain } from './to-inbound.ts';

const threadReplySchema = z.object({
  type: z.literal('message'),
  channel: z.string(),
  user: z.string(),
  text: z.string(),
  ts: z.string(),
  thread_ts: z.string(),
  // A person's plain message: edits, joins, the bot's own posts (a bot_id) are not replies.
  subtype: z.undefined().optional(),
  bot_id: z.undefined().optional(),
});

const staffActionSchema = z.object({
  user: z.object({ id: z.string() }),
  container: z.object({ channel_id: z.string().optional(), message_ts: z.string().optional() }),
  actions: z.array(z.object({ action_id: z.string(), value: z.string() })).min(1),
});

export interface StaffListenerDeps {
  channelId: string;
  handoffs: () => HandoffService;
  /** The name staff go by in audits and notes (their Slack display name). */
  staffName: (userId: string) => Promise<string>;
  logger: Logger;
}

export function registerStaffListeners(app: App, deps: StaffListenerDeps): void {
  const { channelId, handoffs, staffName, logger } = deps;

  app.event('message', async ({ event }) => {
    const reply = threadReplySchema.safeParse(event);
    if (!reply.success || reply.data.channel !== channelId || reply.data.thread_ts === reply.data.ts) return;
    const { channel, ts, thread_ts: threadTs, user, text } = reply.data;
    const service = handoffs();
    const handoff = await service.store().byThread(channel, threadTs);
    if (!handoff) return;
    try {
      await service.reply({ handoffId: handoff.id, staff: await staffName(user), text: slackTextToPlain(text), via: 'slack', messageId: `slack-${channel}-${ts}` });
    } catch (error) {
      // Refusals (too long, already ended) were already told in the thread.
      if (!(error instanceof HandoffError)) throw error;
      logger.info({ handoff: handoff.id, code: error.code }, 'staff reply not sent');
    }
  });

  app.action({ action_id: new RegExp(`^${STAFF_ACTION_PREFIX}`) }, async ({ ack, body }) => {
    await ack();
    const parsed = staffActionSchema.safeParse(body);
    if (!parsed.success) return;
    const action = parsed.data.actions[0]!;
    // Only a button of the request's own message in the staff channel acts on it: a payload
    // naming a handoff from anywhere else (another channel, another request) is refused.
    const { channel_id: channel, message_ts: ts } = parsed.data.container;
    const request = channel === channelId && ts ? await handoffs().store().byThread(channel, ts) : undefined;
    if (request?.id !== action.value) {
      logger.info({ handoff: action.value }, 'staff action refused: not from the request message in the staff channel');
      return;
    }
    const staff = await staffName(parsed.data.user.id);
    try {
      if (action.action_id === STAFF_TAKE_ACTION) await handoffs().take(action.value, staff);
      else if (action.action_id === STAFF_END_ACTION) await handoffs().end(action.value, staff);
    } catch (error) {
      if (!(error instanceof HandoffError)) throw error;
      logger.info({ handoff: action.value, code: error.code }, 'staff action refused');
    }
  });
}
