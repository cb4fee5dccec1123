/**
 * A Bolt receiver without a server of its own, in two halves. `accept` (web processes):
 * the Fastify route (plugin.ts) verified and parsed a request; it goes into the inbox (an
 * Events API `event_id` claimed in the same round trip) and Slack hears 200 only then, so a
 * crash after the answer loses nothing. `consume` (workers) runs an accepted request through
 * Bolt; listeners' `ack()` has nobody left to answer (Slack already has its 200), so every
 * visible answer is a post, an update or a `response_url` call.
 */
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import type { Logger } from 'pino';
import type { InboxEntry, InboxWriter } from '../../inbox/types.ts';
import { eventIdOf } from './dedupe.ts';
import { describeError } from './errors.ts';
import type { SlackBody } from './payloads.ts';
import type { PendingWork } from './pending.ts';

export interface Acknowledgement {
  status: number;
  /** Text or JSON for Slack; none for a bare 200. */
  body?: string | Record<string, unknown>;
  headers?: Record<string, string>;
}

export interface DispatchMeta {
  retryNum?: number;
  retryReason?: string;
}

export interface FastifyReceiverOptions {
  inbox: InboxWriter;
  logger: Logger;
  pending: PendingWork;
}

/** What the inbox keeps of a Slack request. */
interface Accepted {
  body: SlackBody;
  meta: DispatchMeta;
}

export class FastifyReceiver implements Receiver {
  private app: App | undefined;
  private readonly options: FastifyReceiverOptions;

  constructor(options: FastifyReceiverOptions) {
    this.options = options;
  }

  init(app: App): void {
    this.app = app;
  }

  // The HTTP server is Fastify's; there is nothing to start or stop here.
  start(): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  /** Throws only when the inbox is unreachable: the caller answers 503 so Slack retries. */
  async accept(body: SlackBody, meta: DispatchMeta): Promise<Acknowledgement> {
    const eventId = eventIdOf(body);
    const outcome = await this.options.inbox.append([
      { channel: 'slack', key: orderKeyOf(body), ...(eventId !== undefined ? { eventId } : {}), data: JSON.stringify({ body, meta } satisfies Accepted) },
    ]);
    if (outcome.status === 'full') {
      this.options.logger.warn({ type: body.type }, 'inbox over its depth; Slack asked to retry');
      return { status: 503, body: { error: 'busy' }, headers: { 'retry-after': '5' } };
    }
    if (outcome.duplicates) this.options.logger.debug({ retryNum: meta.retryNum }, 'slack event already accepted');
    return { status: 200 };
  }

  /** Runs one accepted request through Bolt; throws when a listener failed, so the entry is tried again. */
  async consume(entry: InboxEntry): Promise<void> {
    const app = this.app;
    if (!app) throw new Error('FastifyReceiver used before Bolt initialised it');
    const { body, meta } = JSON.parse(entry.data) as Accepted;
    const event: ReceiverEvent = {
      body,
      ...(meta.retryNum !== undefined ? { retryNum: meta.retryNum } : {}),
      ...(meta.retryReason !== undefined ? { retryReason: meta.retryReason } : {}),
      // Slack had its answer when the request was accepted.
      ack: async () => undefined,
    };
    const work = app.processEvent(event);
    this.options.pending.track(work);
    try {
      await work;
    } catch (error) {
      this.options.logger.error({ type: body.type, error: describeError(error) }, 'slack listener failed; the request stays in the inbox');
      throw error;
    }
  }
}

/** Whose request it is: one person's requests are handled in order. */
export function orderKeyOf(body: SlackBody): string {
  const event = body.event as { user?: unknown } | undefined;
  const user = body.user as { id?: unknown } | undefined;
  const id = [event?.user, user?.id, body.user_id].find((v): v is string => typeof v === 'string');
  return id ? `slack:${id}` : `slack-team:${String(body.team_id ?? '')}`;
}
