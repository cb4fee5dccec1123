/**
 * Posting to a person's DM, for replies and pushes alike. When Slack says the person
 * cannot be reached, the user record is marked so reminders and broadcasts stop trying.
 */
import type { Logger } from 'pino';
import { userTag } from '../../observability/logger.ts';
import type { Store } from '../../store/types.ts';
import type { PushResult } from '../types.ts';
import type { SlackApi } from './api.ts';
import type { SlackMessage } from './blocks.ts';
import { describeError, isUnreachable } from './errors.ts';
import { slackUser } from './users.ts';

export class SlackDelivery {
  private readonly api: SlackApi;
  private readonly store: Store;
  private readonly logger: Logger;

  constructor(deps: { api: SlackApi; store: Store; logger: Logger }) {
    this.api = deps.api;
    this.store = deps.store;
    this.logger = deps.logger;
  }

  /** Posts in order; `channelId` skips conversations.open when the DM is already known. */
  async deliver(userId: string, messages: SlackMessage[], channelId?: string): Promise<PushResult> {
    try {
      const channel = channelId ?? (await this.api.openDm(userId));
      for (const message of messages) await this.api.postMessage(channel, message);
      return { ok: true };
    } catch (error) {
      return this.failed(userId, error);
    }
  }

  /** Turns a Web API failure into a PushResult, marking the user when they are gone. */
  async failed(userId: string, error: unknown): Promise<PushResult> {
    const user = slackUser(userId);
    const detail = describeError(error);
    if (isUnreachable(error)) {
      this.logger.warn({ user: userTag(user), error: detail }, 'slack user unreachable; marked');
      await this.store.users.update(user, { unreachable: true });
      return { ok: false, reason: 'unreachable', detail };
    }
    this.logger.error({ user: userTag(user), error: detail }, 'slack delivery failed');
    return { ok: false, reason: 'failed', detail };
  }
}
