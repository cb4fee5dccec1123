/**
 * Broadcast chunks on LINE: one multicast request per chunk of up to 500 users who share a
 * language, its retry key named after the chunk, so a chunk sent again (retry, crash) is
 * delivered once: LINE answers the repeat with 409.
 */
import type { Catalog } from '../../conversation/i18n.ts';
import type { Outbound } from '../../conversation/types.ts';
import { RateLimited, RetryLater, type ChannelBroadcaster, type ChannelPreview } from '../types.ts';
import { LINE_LIMITS } from './limits.ts';
import type { LineMulticaster } from './multicast.ts';
import { renderMessages } from './render.ts';

/** When LINE says 429 without Retry-After. */
const DEFAULT_RATE_LIMIT_PAUSE_MS = 1_000;

export function lineBroadcaster(multicaster: LineMulticaster): ChannelBroadcaster {
  return {
    channel: 'line',
    chunkSize: LINE_LIMITS.multicastRecipients,
    // A multicast takes a few hundred ms.
    concurrency: (perSecond) => Math.min(64, Math.max(4, Math.ceil(perSecond / 3))),
    async send({ broadcastId, chunk, ids, locale, message, lastAttempt }) {
      const result = await multicaster.send(ids, [message], locale, `broadcast:${broadcastId}:${chunk}`);
      if (result.ok) return { sent: ids.length, failed: 0 };
      if (result.status === 429) throw new RateLimited(result.retryAfterMs ?? DEFAULT_RATE_LIMIT_PAUSE_MS);
      const problem = `${result.status} ${result.message}${result.requestId ? ` (request ${result.requestId})` : ''}`;
      if (result.retryable && !lastAttempt) throw new RetryLater(`LINE multicast: ${problem}`);
      return { sent: 0, failed: ids.length, problem };
    },
  };
}

/** The LINE messages a broadcast becomes, as the staff page shows them. */
export function linePreview(catalog: Catalog, timeZone: string): ChannelPreview {
  return (message: Outbound, locale) => renderMessages([message], { catalog, locale, timeZone });
}
