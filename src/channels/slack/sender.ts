/**
 * Messages outside a reply (reminders, broadcasts). Slack has no idempotency header, so
 * each message of a push claims `retryKey:index` first: a retried job skips what already
 * went out and sends only the rest.
 */
import type { Outbound, UserRef } from '../../conversation/types.ts';
import type { Store } from '../../store/types.ts';
import type { ChannelSender, PushResult } from '../types.ts';
import { renderMessage } from './blocks.ts';
import type { SlackDelivery } from './delivery.ts';

const PUSH_SCOPE = 'slack-push';
/** Longer than any job's retry window. */
const PUSH_CLAIM_TTL_SECONDS = 7 * 86_400;

export function createSlackSender(deps: { delivery: SlackDelivery; store: Store }): ChannelSender {
  return {
    channel: 'slack',
    async push(user: UserRef, messages: Outbound[], options: { retryKey: string }): Promise<PushResult> {
      for (const [index, message] of messages.entries()) {
        const id = `${options.retryKey}:${index}`;
        if (!(await deps.store.dedupe.claim(PUSH_SCOPE, id, PUSH_CLAIM_TTL_SECONDS))) continue;
        const result = await deps.delivery.deliver(user.id, [renderMessage(message)]);
        if (!result.ok) {
          // Not sent, so a retry may send it; an unreachable user is not retried anyway.
          if (result.reason !== 'unreachable') await deps.store.dedupe.release(PUSH_SCOPE, id);
          return result;
        }
      }
      return { ok: true };
    },
  };
}
