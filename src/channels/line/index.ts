/**
 * The LINE channel's face: the webhook plugin for the server, the sender for reminders, the
 * broadcaster (multicast, on a client of its own) and the staff page's preview. Enabled when
 * both LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN are set (see `lineEnabled`).
 */
import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import type { Content } from '../../conversation/content.ts';
import type { ConversationService } from '../../conversation/service.ts';
import { NO_INBOX, type InboxWriter } from '../../inbox/types.ts';
import type { Metrics } from '../../observability/metrics.ts';
import type { Store } from '../../store/types.ts';
import type { ChannelFace } from '../types.ts';
import { lineBroadcaster, linePreview } from './broadcaster.ts';
import { LineApi, type RetryPolicy } from './client.ts';
import { Delivery } from './delivery.ts';
import { createLineMulticaster } from './multicast.ts';
import { linePlugin } from './plugin.ts';
import { LineSender } from './sender.ts';
import { createWebhookHandler } from './webhook.ts';

export { LINE_WEBHOOK_PATH } from './plugin.ts';
export { linePreview } from './broadcaster.ts';

export interface LineChannelDeps {
  config: Pick<
    Config,
    | 'LINE_CHANNEL_SECRET'
    | 'LINE_CHANNEL_ACCESS_TOKEN'
    | 'LINE_API_BASE_URL'
    | 'LINE_DATA_API_BASE_URL'
    | 'DEFAULT_LOCALE'
    | 'DEFAULT_TIME_ZONE'
  >;
  store: Store;
  /** Where the webhook puts accepted events for the workers; without it the channel only sends. */
  inbox?: InboxWriter;
  conversations: ConversationService;
  content: Content;
  logger: Logger;
  clock?: () => Date;
  metrics?: Metrics;
  /** Tuning, mostly for tests. */
  options?: {
    retry?: Partial<RetryPolicy>;
    sleep?: (ms: number) => Promise<void>;
    /** Show the loading animation when an answer takes longer than this; default 1000 ms. */
    loadingAfterMs?: number;
    /** How long a follow waits for the user's profile language; default 500 ms (LINE wants its 200 within a second or two). */
    profileTimeoutMs?: number;
  };
}

export interface LineChannel extends ChannelFace {
  /** Resolves when every answer already accepted has been sent (tests; graceful shutdown after `app.close()`). */
  idle(): Promise<void>;
  /** The user's LINE display name, for advisor requests (undefined if LINE does not answer within 2 s). */
  displayName(userId: string): Promise<string | undefined>;
}

export function lineEnabled(config: Pick<Config, 'LINE_CHANNEL_SECRET' | 'LINE_CHANNEL_ACCESS_TOKEN'>): boolean {
  return !!config.LINE_CHANNEL_SECRET && !!config.LINE_CHANNEL_ACCESS_TOKEN;
}

export function createLineChannel(deps: LineChannelDeps): LineChannel {
  const { config, store, content, logger } = deps;
  if (!config.LINE_CHANNEL_SECRET || !config.LINE_CHANNEL_ACCESS_TOKEN) {
    throw new Error('LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN must both be set to enable LINE');
  }
  const log = logger.child({ channel: 'line' });
  const api = new LineApi({
    baseUrl: config.LINE_API_BASE_URL,
    dataBaseUrl: config.LINE_DATA_API_BASE_URL,
    accessToken: config.LINE_CHANNEL_ACCESS_TOKEN,
    logger: log,
    ...(deps.options?.retry ? { retry: deps.options.retry } : {}),
    ...(deps.options?.sleep ? { sleep: deps.options.sleep } : {}),
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  });
  const delivery = new Delivery({ api, logger: log, loadingAfterMs: deps.options?.loadingAfterMs ?? 1000 });
  const defaults = { locale: config.DEFAULT_LOCALE, timeZone: config.DEFAULT_TIME_ZONE };
  const events = createWebhookHandler({
    store,
    inbox: deps.inbox ?? NO_INBOX,
    conversations: deps.conversations,
    content,
    api,
    delivery,
    logger: log,
    defaults,
    profileTimeoutMs: deps.options?.profileTimeoutMs ?? 500,
  });
  const multicaster = createLineMulticaster({
    config,
    catalog: content.catalog,
    logger: deps.logger,
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    ...(deps.options?.retry ? { retry: deps.options.retry } : {}),
    ...(deps.options?.sleep ? { sleep: deps.options.sleep } : {}),
  });
  const idle = () => delivery.idle();
  return {
    channel: 'line',
    plugin: linePlugin({ channelSecret: config.LINE_CHANNEL_SECRET, accept: events.accept }),
    consume: events.consume,
    sender: new LineSender({ api, store, catalog: content.catalog, logger: log, defaults }),
    broadcaster: lineBroadcaster(multicaster),
    preview: linePreview(content.catalog, config.DEFAULT_TIME_ZONE),
    start: async () => undefined,
    stop: idle,
    idle,
    displayName: async (userId) => (await api.getProfile(userId, 2_000))?.displayName,
  };
}
