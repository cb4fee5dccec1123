/**
 * Posting to a person's DM, for replies and pushes alike. When Slack says the person
 * cannot be reached, the user record is marked so reminders and broadcasts stop trying.
 *
 * Slack has no idempotency key for chat.postMessage, so "an answer is posted once" is kept
 * here: each message of a turn's answer is marked once Slack has taken it, and a replay of
 * the turn (a worker died before the inbox entry was acknowledged) posts only unmarked ones.
 * What remains: a worker that dies between Slack taking a message and the mark being written
 * (one Redis round trip) leaves that one message to be posted again.
 */
import type { Logger } from 'pino';
import { userTag } from '../../observability/logger.ts';
import type { Store } from '../../store/types.ts';
import type { PushResult } from '../types.ts';
import type { SlackApi } from './api.ts';
import type { SlackMessage } from './blocks.ts';
import { describeError, isUnreachable } from './errors.ts';
import { slackUser } from './users.ts';

const SENT_SCOPE = 'slack-sent';
/** As long as an accepted Slack event id is remembered: a replay comes far sooner (a lease's length). */
const SENT_TTL_SECONDS = 86_400;

export interface AnswerOptions {
  /** Stable per turn (the inbox entry): what marks the answer's messages. */
  sendId: string;
  /** The turn was applied before: post only what is not marked as posted. */
  replayed: boolean;
  channelId?: string;
}

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

  /** A turn's answer, each message marked once posted; a replay skips the marked ones. */
  async answer(userId: string, messages: SlackMessage[], options: AnswerOptions): Promise<PushResult> {
    const { dedupe } = this.store;
    try {
      const channel = options.channelId ?? (await this.api.openDm(userId));
      for (const [index, message] of messages.entries()) {
        const id = `${options.sendId}:${index}`;
        // On a replay the mark is claimed first, so two workers replaying at once cannot both post.
        if (options.replayed && !(await dedupe.claim(SENT_SCOPE, id, SENT_TTL_SECONDS))) continue;
        try {
          await this.api.postMessage(channel, message);
        } catch (error) {
          if (options.replayed) await dedupe.release(SENT_SCOPE, id).catch(() => undefined);
          throw error;
        }
        if (!options.replayed) await dedupe.confirm(SENT_SCOPE, id, SENT_TTL_SECONDS);
      }
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
