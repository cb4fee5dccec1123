/** What every chat channel offers the rest of the app besides its webhook. */
import type { Channel, Outbound, UserRef } from '../conversation/types.ts';

export type PushResult =
  | { ok: true }
  /** blocked: the user blocked/unfollowed; unreachable: account or channel gone; failed: gave up after retries. */
  | { ok: false; reason: 'blocked' | 'unreachable' | 'failed'; detail?: string };

/** Sends messages to a user outside a reply (reminders, broadcasts). */
export interface ChannelSender {
  readonly channel: Channel;
  /** `retryKey` makes a retried send idempotent (LINE X-Line-Retry-Key; Slack: dedupe on our side). */
  push(user: UserRef, messages: Outbound[], options: { retryKey: string }): Promise<PushResult>;
}
