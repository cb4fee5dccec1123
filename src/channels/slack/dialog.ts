/**
 * One person's input through the conversation, replies to their DM. Per person the
 * turns run one after another, so replies to two quick messages never interleave.
 */
import type { ConversationService } from '../../conversation/service.ts';
import { KeyedQueue } from '../../conversation/keyed-queue.ts';
import type { Inbound } from '../../conversation/types.ts';
import { renderMessage } from './blocks.ts';
import type { SlackDelivery } from './delivery.ts';
import { slackUser, type SlackUsers } from './users.ts';

export interface TurnOptions {
  /** The DM, when the event already named it (saves a conversations.open). */
  channelId?: string;
  /** Only for someone who never talked to us (opening the app's Messages tab). */
  onlyIfNew?: boolean;
  /**
   * The request's id (receiver.ts `requestIdOf`): handled again after a worker died, the
   * conversation is not stepped again and only the part of its answer not yet posted is posted.
   */
  eventId?: string;
}

export class SlackDialog {
  private readonly queue = new KeyedQueue();
  private readonly deps: { conversations: ConversationService; users: SlackUsers; delivery: SlackDelivery };

  constructor(deps: { conversations: ConversationService; users: SlackUsers; delivery: SlackDelivery }) {
    this.deps = deps;
  }

  run(userId: string, input: Inbound, options: TurnOptions = {}): Promise<void> {
    return this.queue.run(userId, async () => {
      const { conversations, users, delivery } = this.deps;
      const user = slackUser(userId);
      const { eventId, channelId, onlyIfNew } = options;
      const result = await conversations.handle(user, input, await users.hints(userId), {
        ...(eventId !== undefined ? { eventId } : {}),
        ...(onlyIfNew ? { onlyIfNew } : {}),
      });
      // A failed post is logged (and the user marked if gone) by delivery; the turn itself
      // is saved, so it must not be redone.
      if (!result.messages.length) return;
      const messages = result.messages.map(renderMessage);
      if (eventId === undefined) await delivery.deliver(userId, messages, channelId);
      else await delivery.answer(userId, messages, { sendId: eventId, replayed: result.replayed === true, ...(channelId ? { channelId } : {}) });
    });
  }

  drain(): Promise<void> {
    return this.queue.drain();
  }
}
