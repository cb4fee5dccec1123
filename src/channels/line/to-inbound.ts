/**
 * Decides what a LINE event means for us, in neutral terms. Pure: no I/O, so every rule
 * about which event becomes which input is tested without a server.
 */
import type { Inbound, UserRef } from '../../conversation/types.ts';
import type { LineEvent } from './events.ts';
import { decodePostback } from './postback.ts';

export type LineTask =
  /** A step of the user's conversation; `follow` also clears the blocked flag and reads the profile. */
  | { kind: 'converse'; eventId: string; user: UserRef; input: Inbound; replyToken?: string; follow: boolean }
  /** The user blocked the bot: remember it so nothing is pushed to them. */
  | { kind: 'unfollow'; eventId: string; user: UserRef }
  /** Someone wrote in a group or room: the bot only talks 1:1, say so once. */
  | { kind: 'groupNotice'; eventId: string; chatId: string; replyToken: string }
  | { kind: 'ignore'; eventId: string; reason: string };

const UNREADABLE_MESSAGES = new Set(['sticker', 'image', 'video', 'audio', 'location', 'file']);

export function toTask(event: LineEvent): LineTask {
  const eventId = event.webhookEventId;
  if (event.mode !== 'active') return { kind: 'ignore', eventId, reason: `mode ${event.mode}` };
  const { source } = event;
  if (source.type !== 'user') {
    const chatId = source.type === 'group' ? source.groupId : source.roomId;
    const replyToken = event.type === 'unfollow' ? undefined : event.replyToken;
    if (!replyToken || (event.type !== 'message' && event.type !== 'postback' && event.type !== 'join')) {
      return { kind: 'ignore', eventId, reason: `${event.type} in a ${source.type}` };
    }
    return { kind: 'groupNotice', eventId, chatId, replyToken };
  }
  const user: UserRef = { channel: 'line', id: source.userId };
  switch (event.type) {
    case 'unfollow':
      return { kind: 'unfollow', eventId, user };
    case 'join':
      return { kind: 'ignore', eventId, reason: 'join from a user source' };
    case 'follow':
      return converse(eventId, user, { kind: 'start' }, event.replyToken, true);
    case 'message': {
      const { message } = event;
      if (message.type === 'text') return converse(eventId, user, { kind: 'text', text: message.text ?? '' }, event.replyToken);
      // Anything else we cannot read; new message types LINE adds later land here too.
      const what = UNREADABLE_MESSAGES.has(message.type) ? message.type : 'other';
      return converse(eventId, user, { kind: 'unsupported', what }, event.replyToken);
    }
    case 'postback':
      return converse(eventId, user, postbackInput(event.postback), event.replyToken);
  }
}

function postbackInput(postback: { data: string; params?: { datetime?: string; date?: string } | undefined }): Inbound {
  const data = decodePostback(postback.data);
  const picked = postback.params?.datetime ?? postback.params?.date;
  if (picked !== undefined) return { kind: 'datetime', iso: picked, ...(data ? { state: data.state } : {}) };
  if (data && 'value' in data) return { kind: 'choice', value: data.value, state: data.state };
  // Not our data (an old button or rich menu): the core answers it as a stale button.
  return { kind: 'choice', value: postback.data };
}

function converse(eventId: string, user: UserRef, input: Inbound, replyToken: string | undefined, follow = false): LineTask {
  return { kind: 'converse', eventId, user, input, follow, ...(replyToken ? { replyToken } : {}) };
}

/** Tasks with the same key run one after another, in delivery order. */
export function orderKey(task: LineTask): string {
  switch (task.kind) {
    case 'converse':
    case 'unfollow':
      return `user:${task.user.id}`;
    case 'groupNotice':
      return `chat:${task.chatId}`;
    case 'ignore':
      return `event:${task.eventId}`;
  }
}
