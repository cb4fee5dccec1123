/**
 * Sends the answers to webhook events (workers, after LINE had its 200): the free
 * reply token first (five messages per reply), a push only for what the token cannot
 * carry (used up, expired, or a sixth message). Sends to one chat go out in order.
 */
import type { Logger } from 'pino';
import { KeyedQueue } from '../../conversation/keyed-queue.ts';
import { isInvalidReplyToken, type ApiResult, type LineApi } from './client.ts';
import { chunk, LINE_LIMITS } from './limits.ts';
import { describeError } from './log-safe.ts';
import { packForReply, type LineMessage } from './render.ts';
import { retryKeyFor } from './retry-key.ts';

export interface Outgoing {
  /** Serialises sends to one chat. */
  chatKey: string;
  /** For logs: a user tag, never an id. */
  tag: string;
  replyToken?: string;
  /** Where to push what the reply could not carry; without it nothing is pushed (group notices). */
  pushTo?: string;
  /** Stable per event: push retry keys derive from it, so a retried push is never sent twice. */
  sendId: string;
  messages: LineMessage[];
  loading?: LoadingIndicator;
}

export interface DeliveryOptions {
  api: LineApi;
  logger: Logger;
  /** Show LINE's typing animation when an answer takes longer than this (undefined: never). */
  loadingAfterMs?: number;
  loadingSeconds?: number;
}

/** Starts LINE's loading animation if the answer is slow; `stop` before sending so it never outlives the answer. */
export class LoadingIndicator {
  private readonly timer: NodeJS.Timeout;
  private request: Promise<unknown> | undefined;

  constructor(start: () => Promise<unknown>, afterMs: number) {
    this.timer = setTimeout(() => {
      this.request = start();
    }, afterMs);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    // A started animation ends when our message arrives, so let the start call land first.
    await this.request;
  }
}

export class Delivery {
  private readonly options: DeliveryOptions;
  private readonly queue = new KeyedQueue();
  private readonly pending = new Set<Promise<unknown>>();

  constructor(options: DeliveryOptions) {
    this.options = options;
  }

  /** Call when work on a user's message starts; only 1:1 chats can show the animation. */
  startLoading(userId: string): LoadingIndicator | undefined {
    const { loadingAfterMs, loadingSeconds = 20, api } = this.options;
    if (loadingAfterMs === undefined) return undefined;
    return new LoadingIndicator(
      () => this.track(api.showLoading(userId, loadingSeconds, 2_000)),
      loadingAfterMs,
    );
  }

  /** Resolves once the answer is sent or given up on (it never rejects: failures are logged). */
  send(out: Outgoing): Promise<void> {
    return this.track(this.queue.run(out.chatKey, () => this.deliver(out)));
  }

  /** Resolves once every send started so far has finished (tests, graceful shutdown). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    const tracked = promise.finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
    return tracked;
  }

  private async deliver(out: Outgoing): Promise<void> {
    const { api, logger } = this.options;
    try {
      await out.loading?.stop();
      const batches = chunk(packForReply(out.messages), LINE_LIMITS.messagesPerRequest);
      let next = 0;
      if (out.replyToken && batches.length > 0) {
        const reply = await api.reply(out.replyToken, batches[0]!);
        if (reply.ok) next = 1;
        else if (!worthPushing(reply)) {
          // LINE refused the messages themselves; a push of the same would be refused too.
          logger.error({ user: out.tag, status: reply.status, requestId: reply.requestId }, 'LINE reply refused; answer not sent');
          return;
        }
      }
      if (next >= batches.length) return;
      if (!out.pushTo) return;
      logger.info({ user: out.tag, parts: batches.length - next, replied: next > 0 }, 'pushing what the reply could not carry');
      for (let part = next; part < batches.length; part++) {
        const push = await api.push(out.pushTo, batches[part]!, retryKeyFor(`line-event:${out.sendId}`, part));
        if (!push.ok) {
          // Later parts without this one would not make sense on their own.
          logger.error({ user: out.tag, status: push.status, requestId: push.requestId, part }, 'LINE push failed; rest of the answer not sent');
          return;
        }
      }
    } catch (error) {
      logger.error({ user: out.tag, error: describeError(error) }, 'sending a LINE answer failed');
    }
  }
}

/** A token that is used up or expired, or a reply that kept failing, still deserves an answer by push. */
function worthPushing(result: ApiResult): boolean {
  return isInvalidReplyToken(result) || (!result.ok && result.retryable);
}
