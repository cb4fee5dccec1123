/** What every chat channel offers the rest of the app besides its webhook. */
import type { Channel, Outbound, UserRef } from '../conversation/types.ts';

export type PushResult =
  | { ok: true }
  /** blocked: the user blocked/unfollowed; unreachable: account or channel gone; failed: gave up after retries. */
  | { ok: false; reason: 'blocked' | 'unreachable' | 'failed'; detail?: string };

/** Sends messages to a user outside a reply (reminders, broadcasts). */
export interface ChannelSender {
  readonly channel: Channel;
  /**
   * `retryKey` is a stable name for this logical send (a job id): a retried send with the same
   * key is not delivered twice (LINE derives X-Line-Retry-Key from it; Slack dedupes on our side).
   */
  push(user: UserRef, messages: Outbound[], options: { retryKey: string }): Promise<PushResult>;
}
