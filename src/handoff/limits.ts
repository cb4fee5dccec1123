/** How long one staff reply may be on each channel before it is split, and how far. */
import { LINE_LIMITS } from '../channels/line/limits.ts';
import { escapeMrkdwn } from '../channels/slack/texts.ts';
import type { Channel } from '../conversation/types.ts';
import type { MessageLimit } from './split.ts';

const utf16 = (text: string) => text.length;

export const REPLY_LIMITS: Record<Channel, MessageLimit> = {
  // One push request carries five messages, so a reply is delivered (and retried) as a whole.
  line: { maxLength: LINE_LIMITS.textLength, maxParts: LINE_LIMITS.messagesPerRequest, measure: utf16 },
  // chat.postMessage shows 4,000 characters of text; Slack counts the escaped form.
  slack: { maxLength: 4000, maxParts: 5, measure: (text) => escapeMrkdwn(text).length },
  console: { maxLength: 10_000, maxParts: 5, measure: utf16 },
};

/** The longest reply any channel takes, for the API's own validation. */
export const MAX_REPLY_LENGTH = Math.max(...Object.values(REPLY_LIMITS).map((l) => l.maxLength * l.maxParts));
