/**
 * Pushes for reminders and broadcasts. Refuses users who blocked the bot, renders in the
 * user's language and zone, and derives each request's `X-Line-Retry-Key` from the
 * caller's key so a retried job never sends twice.
 */
import type { Logger } from 'pino';
import type { Catalog } from '../../conversation/i18n.ts';
import type { Locale, Outbound, UserRef } from '../../conversation/types.ts';
import { userTag } from '../../observability/logger.ts';
import type { Store } from '../../store/types.ts';
import type { ChannelSender, PushResult } from '../types.ts';
import type { ApiResult, LineApi } from './client.ts';
import { chunk, LINE_LIMITS } from './limits.ts';
import { packForReply, renderMessages } from './render.ts';
import { retryKeyFor } from './retry-key.ts';

export interface LineSenderDeps {
  api: LineApi;
  store: Store;
  catalog: Catalog;
  logger: Logger;
  /** For users we have no record of yet. */
  defaults: { locale: Locale; timeZone: string };
}

export class LineSender implements ChannelSender {
  readonly channel = 'line' as const;
  private readonly deps: LineSenderDeps;

  constructor(deps: LineSenderDeps) {
    this.deps = deps;
  }

  async push(user: UserRef, messages: Outbound[], options: { retryKey: string }): Promise<PushResult> {
    const { api, store, catalog, logger, defaults } = this.deps;
    const record = await store.users.get(user);
    if (record?.blocked) return { ok: false, reason: 'blocked' };
    if (record?.unreachable) return { ok: false, reason: 'unreachable' };
    const rendered = renderMessages(messages, {
      catalog,
      locale: record?.locale ?? defaults.locale,
      timeZone: record?.timeZone ?? defaults.timeZone,
    });
    const batches = chunk(packForReply(rendered), LINE_LIMITS.messagesPerRequest);
    for (const [part, batch] of batches.entries()) {
      const result = await api.push(user.id, batch, retryKeyFor(`push:${options.retryKey}`, part));
      if (result.ok) continue;
      if (isGone(result)) {
        // LINE cannot deliver to this id (account deleted, never a friend): stop pushing to it.
        await store.users.update(user, { unreachable: true });
        logger.info({ user: userTag(user), status: result.status, requestId: result.requestId }, 'LINE user unreachable');
        return { ok: false, reason: 'unreachable', detail: result.message };
      }
      return { ok: false, reason: 'failed', detail: `${result.status} ${result.message}` };
    }
    return { ok: true };
  }

  readonly multicastSize = LINE_LIMITS.multicastRecipients;

  /**
   * One message set to up to 500 users (reminders of one due second with the same words).
   * A 429 is waited out by the client's retry policy, as a reminder has no queue of its
   * own to pause.
   */
  async multicast(ids: string[], messages: Outbound[], options: { retryKey: string; locale: Locale; timeZone: string }): Promise<PushResult> {
    const { api, catalog } = this.deps;
    if (ids.length === 0 || ids.length > this.multicastSize) throw new RangeError(`a multicast goes to 1 to ${this.multicastSize} users (got ${ids.length})`);
    const rendered = renderMessages(messages, { catalog, locale: options.locale, timeZone: options.timeZone });
    for (const [part, batch] of chunk(packForReply(rendered), LINE_LIMITS.messagesPerRequest).entries()) {
      const result = await api.multicast(ids, batch, retryKeyFor(`multicast:${options.retryKey}`, part), 'wait');
      if (!result.ok) return { ok: false, reason: 'failed', detail: `${result.status} ${result.message}` };
    }
    return { ok: true };
  }
}

/**
 * LINE's answer when the recipient cannot receive: 400 "Failed to send messages" (the
 * user id does not exist for this channel). A push to a user who blocked the bot is
 * accepted with 200 and silently not delivered (LINE's retry-key guide says as much), so
 * blocking is learnt from the unfollow event, and push() refuses those users up front.
 */
function isGone(result: ApiResult): boolean {
  return !result.ok && result.status === 400 && /failed to send messages/i.test(result.message);
}
