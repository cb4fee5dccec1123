/**
 * The Slack channel's face: `createSlackChannel(deps)` wires Bolt, the Web API client and the
 * pieces of this folder into the plugin, sender, broadcaster and preview. Over HTTP it serves `POST /webhooks/slack` inside the app's
 * Fastify server (`plugin`); with SLACK_APP_TOKEN it holds a Socket Mode connection instead
 * (`start`). Either way requests are stored in the inbox and run by workers (`consume`).
 *
 * A Slack user is `{ channel: 'slack', id: <user id> }`: the app is installed in one
 * workspace with one bot token, and Slack user ids are unique across workspaces.
 */
import { App, webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import type { Content } from '../../conversation/content.ts';
import { formatMeetingTime } from '../../conversation/dates.ts';
import type { ConversationService } from '../../conversation/service.ts';
import type { StaffChannel } from '../../handoff/ports.ts';
import type { HandoffService } from '../../handoff/service.ts';
import { NO_INBOX, type InboxWriter } from '../../inbox/types.ts';
import type { Metrics } from '../../observability/metrics.ts';
import type { Store } from '../../store/types.ts';
import type { ChannelFace } from '../types.ts';
import { SlackApi } from './api.ts';
import { boltLogger } from './bolt-logger.ts';
import { slackBroadcaster, slackPreview } from './broadcaster.ts';
import { SlackDelivery } from './delivery.ts';
import { SlackDialog } from './dialog.ts';
import { DEFAULT_RATE_LIMIT_POLICY, type Sleep } from './errors.ts';
import { HomeTab } from './home-tab.ts';
import { registerListeners } from './listeners.ts';
import { PendingWork } from './pending.ts';
import { slackWebhookPlugin } from './plugin.ts';
import { InboxReceiver } from './receiver.ts';
import { createSlackSender } from './sender.ts';
import { SocketModeInboxReceiver } from './socket-receiver.ts';
import { createStaffChannel } from './staff-channel.ts';
import { registerStaffListeners } from './staff-listeners.ts';
import { translator } from './texts.ts';
import { SlackUsers } from './users.ts';

export interface SlackChannelDeps {
  config: Config;
  store: Store;
  /** Where the webhook puts accepted requests for the workers; without it the channel only sends. */
  inbox?: InboxWriter;
  conversations: ConversationService;
  content: Content;
  logger: Logger;
  clock?: () => Date;
  /** How rate-limit waits are slept (tests pass one that returns at once). */
  sleep?: Sleep;
  /** Retries of network failures and 5xx inside the WebClient (not rate limits). */
  retryConfig?: webApi.RetryOptions;
  metrics?: Metrics;
  /** The advisor handoff's Slack side: requests posted to STAFF_SLACK_CHANNEL, replies in their threads. */
  staff?: { channelId: string; handoffs: () => HandoffService };
  /** Someone answers advisor requests (a staff route is configured): the App Home offers one. */
  advisor?: boolean;
}

export { slackPreview } from './broadcaster.ts';

/**
 * `plugin` registers `POST /webhooks/slack`, nothing in Socket Mode; `start` connects Socket
 * Mode (nothing to do over HTTP); `stop` disconnects it and waits for work still running after acks.
 */
export interface SlackChannel extends ChannelFace {
  readonly mode: 'http' | 'socket';
  /** Resolves when every accepted request has been fully handled. */
  idle(): Promise<void>;
  /** Where advisor requests are posted, when `staff` was given. */
  staffChannel?: StaffChannel;
  /** The name a person goes by in Slack, for advisor requests. */
  displayName(userId: string): Promise<string | undefined>;
}

/** Slack is on when both HTTP credentials are set (config.ts requires them together). */
export function isSlackConfigured(config: Config): boolean {
  return !!config.SLACK_SIGNING_SECRET && !!config.SLACK_BOT_TOKEN;
}

/** A few quick retries: a chat reply that arrives minutes late is worse than none. */
const DEFAULT_RETRY_CONFIG: webApi.RetryOptions = { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 2000 };

export function createSlackChannel(deps: SlackChannelDeps): SlackChannel {
  const { config, store, conversations, content } = deps;
  const { SLACK_SIGNING_SECRET: signingSecret, SLACK_BOT_TOKEN: token, SLACK_APP_TOKEN: appToken } = config;
  if (!signingSecret || !token) throw new Error('SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN must be set for the Slack channel');
  const logger = deps.logger.child({ channel: 'slack' });
  const clock = deps.clock ?? (() => new Date());
  const pending = new PendingWork();

  const clientOptions: webApi.WebClientOptions = {
    slackApiUrl: config.SLACK_API_URL,
    logger: boltLogger(logger),
    retryConfig: deps.retryConfig ?? DEFAULT_RETRY_CONFIG,
    // 429s come back to us (errors.ts) so Retry-After is honoured per call, not by pausing the client.
    rejectRateLimitedCalls: true,
  };
  const api = new SlackApi(
    new webApi.WebClient(token, clientOptions),
    { ...DEFAULT_RATE_LIMIT_POLICY, ...(deps.sleep ? { sleep: deps.sleep } : {}) },
    deps.metrics,
  );
  const users = new SlackUsers({
    profile: (userId) => api.profile(userId),
    store,
    defaults: { locale: config.DEFAULT_LOCALE, timeZone: config.DEFAULT_TIME_ZONE },
    logger,
    clock,
  });
  const delivery = new SlackDelivery({ api, store, logger });
  const dialog = new SlackDialog({ conversations, users, delivery });
  const home = new HomeTab({ api, users, store, content, clock, advisor: deps.advisor ?? false });

  const inbox = { inbox: deps.inbox ?? NO_INBOX, logger, pending };
  const receiver = appToken
    ? new SocketModeInboxReceiver({ ...inbox, appToken, clientOptions: { slackApiUrl: config.SLACK_API_URL } })
    : new InboxReceiver(inbox);
  const bolt = new App({
    receiver,
    // A fixed token without auth.test: the bot id is not needed, bot messages are
    // recognised by their `bot_id` (to-inbound.ts), and no Slack call happens at boot.
    authorize: async () => ({ botToken: token }),
    ignoreSelf: false,
    convoStore: false,
    clientOptions,
    logger: boltLogger(logger),
  });
  // Bolt's default handler logs whole errors through its own logger; rethrowing lets the
  // receiver log a short description once and leave the request in the inbox.
  bolt.error(async (error) => {
    throw error;
  });
  registerListeners(bolt, { dialog, home, users, api, store, content, logger, clock, maxDaysAhead: config.MEETING_MAX_DAYS_AHEAD });
  const displayName = async (userId: string) => (await api.profile(userId)).name;
  let staffChannel: StaffChannel | undefined;
  if (deps.staff) {
    // Staff read requests in the deployment's language and zone.
    const staffLocale = config.DEFAULT_LOCALE;
    const when = (iso: string) => formatMeetingTime(new Date(iso), staffLocale, config.DEFAULT_TIME_ZONE);
    staffChannel = createStaffChannel({ api, channelId: deps.staff.channelId, t: translator(content.catalog, staffLocale), when });
    const staffName = async (userId: string) => (await displayName(userId).catch(() => undefined)) ?? userId;
    registerStaffListeners(bolt, { channelId: deps.staff.channelId, handoffs: deps.staff.handoffs, staffName, logger });
  }

  const idle = async () => {
    await pending.idle();
    await dialog.drain();
  };

  const sender = createSlackSender({ delivery, store });
  return {
    channel: 'slack',
    mode: appToken ? 'socket' : 'http',
    plugin: appToken ? async () => undefined : slackWebhookPlugin({ signingSecret, receiver, clock }),
    consume: (entry) => receiver.consume(entry),
    sender,
    broadcaster: slackBroadcaster(sender),
    preview: slackPreview,
    start: async () => {
      if (appToken) await bolt.start();
    },
    stop: async () => {
      if (appToken) await bolt.stop();
      await idle();
    },
    idle,
    ...(staffChannel ? { staffChannel } : {}),
    displayName,
  };
}
