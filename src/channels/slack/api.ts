/**
 * The Slack Web API calls this channel makes, each through the rate-limit policy. One
 * WebClient (pointed at SLACK_API_URL) serves everything, so configuration and error
 * handling live in one place.
 */
import type { types, webApi } from '@slack/bolt';
import type { Metrics } from '../../observability/metrics.ts';
import type { SlackMessage } from './blocks.ts';
import { errorCodeForMetrics, withRateLimitRetry, type RateLimitPolicy } from './errors.ts';

export interface SlackProfile {
  locale?: string;
  tz?: string;
  /** What the person goes by in Slack (display name, else real name), for advisor requests. */
  name?: string;
}

const MAX_CACHED_DMS = 10_000;

export class SlackApi {
  private readonly client: webApi.WebClient;
  private readonly policy: RateLimitPolicy;
  private readonly metrics: Metrics | undefined;
  /** A person's DM with the app never changes, so conversations.open is asked once. */
  private readonly dms = new Map<string, string>();

  /** `metrics` counts every failed attempt (each rate-limited one too) by Slack's error code. */
  constructor(client: webApi.WebClient, policy: RateLimitPolicy, metrics?: Metrics) {
    this.client = client;
    this.policy = policy;
    this.metrics = metrics;
  }

  async openDm(userId: string): Promise<string> {
    const known = this.dms.get(userId);
    if (known) return known;
    const result = await this.call(() => this.client.conversations.open({ users: userId }));
    const id = result.channel?.id;
    if (!id) throw new Error('conversations.open returned no channel');
    if (this.dms.size >= MAX_CACHED_DMS) this.dms.delete(this.dms.keys().next().value!);
    this.dms.set(userId, id);
    return id;
  }

  /** `threadTs` posts into that message's thread (advisor request threads). */
  async postMessage(channel: string, message: SlackMessage, threadTs?: string): Promise<string | undefined> {
    const thread = threadTs ? { thread_ts: threadTs } : {};
    const result = await this.call(() =>
      this.client.chat.postMessage(message.blocks ? { channel, text: message.text, blocks: message.blocks, ...thread } : { channel, text: message.text, ...thread }),
    );
    return result.ts;
  }

  async updateMessage(channel: string, ts: string, message: SlackMessage): Promise<void> {
    await this.call(() => this.client.chat.update({ channel, ts, text: message.text, blocks: message.blocks ?? [] }));
  }

  async postEphemeral(channel: string, userId: string, text: string): Promise<void> {
    await this.call(() => this.client.chat.postEphemeral({ channel, user: userId, text }));
  }

  async publishHome(userId: string, view: types.HomeView): Promise<void> {
    await this.call(() => this.client.views.publish({ user_id: userId, view }));
  }

  async profile(userId: string): Promise<SlackProfile> {
    const result = await this.call(() => this.client.users.info({ user: userId, include_locale: true }));
    const name = result.user?.profile?.display_name || result.user?.real_name || result.user?.name;
    return { ...(result.user?.locale ? { locale: result.user.locale } : {}), ...(result.user?.tz ? { tz: result.user.tz } : {}), ...(name ? { name } : {}) };
  }

  private call<T>(fn: () => Promise<T>): Promise<T> {
    const counted = () =>
      fn().catch((error: unknown) => {
        this.metrics?.platformErrors.inc({ channel: 'slack', code: errorCodeForMetrics(error) });
        throw error;
      });
    return withRateLimitRetry(counted, this.policy);
  }
}
