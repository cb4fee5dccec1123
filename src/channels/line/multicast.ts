/**
 * Broadcast sends on LINE: one multicast request carries one message set to up to 500
 * users who share a language. Its `X-Line-Retry-Key` derives from the caller's stable
 * name for the chunk, so however often the chunk is retried (a 5xx, a crash, `kill -9`),
 * LINE delivers it once and answers the repeats with 409.
 *
 * LINE does not say which recipients of a multicast blocked the bot (it accepts the request
 * and skips them), so blocking is learnt from unfollow events and the caller leaves those
 * users out before calling.
 */
import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import type { Catalog } from '../../conversation/i18n.ts';
import type { Locale, Outbound } from '../../conversation/types.ts';
import type { Metrics } from '../../observability/metrics.ts';
import { LineApi, type ApiResult, type RetryPolicy } from './client.ts';
import { LINE_LIMITS } from './limits.ts';
import { packForReply, renderMessages } from './render.ts';
import { uuidFromName } from './retry-key.ts';

export interface LineMulticasterDeps {
  api: LineApi;
  catalog: Catalog;
  /** Broadcast messages show no dates, but rendering wants a zone. */
  timeZone: string;
}

export class LineMulticaster {
  private readonly deps: LineMulticasterDeps;

  constructor(deps: LineMulticasterDeps) {
    this.deps = deps;
  }

  /** `name` names this send for good (e.g. broadcast id and chunk): it becomes the retry key. */
  send(to: string[], messages: readonly Outbound[], locale: Locale, name: string): Promise<ApiResult> {
    if (to.length === 0 || to.length > LINE_LIMITS.multicastRecipients) {
      throw new RangeError(`a multicast goes to 1 to ${LINE_LIMITS.multicastRecipients} users (got ${to.length})`);
    }
    const rendered = packForReply(renderMessages(messages, { catalog: this.deps.catalog, locale, timeZone: this.deps.timeZone }));
    if (rendered.length > LINE_LIMITS.messagesPerRequest) {
      throw new RangeError(`a multicast carries at most ${LINE_LIMITS.messagesPerRequest} messages (got ${rendered.length})`);
    }
    return this.deps.api.multicast(to, rendered, multicastRetryKey(name));
  }
}

export function multicastRetryKey(name: string): string {
  return uuidFromName(`multicast:${name}`);
}

/**
 * Broadcasts get a client of their own: a 5xx is retried a few times in place, and a chunk
 * that still fails is retried later by its job, so one bad minute at LINE does not hold a
 * worker slot for long.
 */
export const BROADCAST_RETRY: Partial<RetryPolicy> = { attempts: 3, baseDelayMs: 1_000, maxDelayMs: 8_000, maxRetryAfterMs: 60_000 };

export function createLineMulticaster(deps: {
  config: Pick<Config, 'LINE_CHANNEL_ACCESS_TOKEN' | 'LINE_API_BASE_URL' | 'LINE_DATA_API_BASE_URL' | 'DEFAULT_TIME_ZONE'>;
  catalog: Catalog;
  logger: Logger;
  /** Refused and failed requests are counted as LINE platform errors. */
  metrics?: Metrics;
  retry?: Partial<RetryPolicy>;
  sleep?: (ms: number) => Promise<void>;
}): LineMulticaster {
  const { config } = deps;
  if (!config.LINE_CHANNEL_ACCESS_TOKEN) throw new Error('LINE_CHANNEL_ACCESS_TOKEN must be set to broadcast on LINE');
  const api = new LineApi({
    baseUrl: config.LINE_API_BASE_URL,
    dataBaseUrl: config.LINE_DATA_API_BASE_URL,
    accessToken: config.LINE_CHANNEL_ACCESS_TOKEN,
    logger: deps.logger.child({ channel: 'line', purpose: 'broadcast' }),
    retry: { ...BROADCAST_RETRY, ...deps.retry },
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  });
  return new LineMulticaster({ api, catalog: deps.catalog, timeZone: config.DEFAULT_TIME_ZONE });
}
