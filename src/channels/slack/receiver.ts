/**
 * A Bolt receiver whose requests go through the inbox, in two halves. `accept` (the process
 * that hears from Slack: the Fastify route in plugin.ts, or the Socket Mode connection in
 * socket-receiver.ts): the request goes into the inbox (an Events API `event_id` claimed in
 * the same round trip) and Slack is acknowledged only then, so a crash after the
 * acknowledgement loses nothing. `consume` (workers) runs an accepted request through Bolt;
 * listeners' `ack()` has nobody left to answer (Slack already has its acknowledgement), so
 * every visible answer is a post, an update or a `response_url` call.
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

export interface InboxReceiverOptions {
  inbox: InboxWriter;
  logger: Logger;
  pending: PendingWork;
}

/** What the inbox keeps of a Slack request. */
interface Accepted {
  body: SlackBody;
  meta: DispatchMeta;
}

/**
 * The name under which `consume` hands listeners the inbox entry's id, in Bolt's `context`
 * (a receiver's `customProperties`). Stable when the same entry is handled again after a
 * worker died, and one entry is one request (an Events API event is stored once).
 */
const ENTRY_PROPERTY = 'inboxEntryId';

/** The id a listener gives the conversation for the request it is handling (`eventId` of `handle`). */
export function requestIdOf(context: Record<string, unknown>): string | undefined {
  const entry = context[ENTRY_PROPERTY];
  return typeof entry === 'string' ? `slack:${entry}` : undefined;
}

/** Over HTTP nothing is started here: the server is Fastify's. Socket Mode adds its connection (socket-receiver.ts). */
export class InboxReceiver implements Receiver {
  private app: App | undefined;
  protected readonly options: InboxReceiverOptions;

  constructor(options: InboxReceiverOptions) {
    this.options = options;
  }

  init(app: App): void {
    this.app = app;
  }

  start(): Promise<unknown> {
    return Promise.resolve();
  }

  stop(): Promise<unknown> {
    return Promise.resolve();
  }

  /** Throws only when the inbox is unreachable: the caller answers 503 (or does not acknowledge) so Slack retries. */
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
    if (!app) throw new Error('Slack receiver used before Bolt initialised it');
    const { body, meta } = JSON.parse(entry.data) as Accepted;
    const event: ReceiverEvent = {
      body,
      ...(meta.retryNum !== undefined ? { retryNum: meta.retryNum } : {}),
      ...(meta.retryReason !== undefined ? { retryReason: meta.retryReason } : {}),
      customProperties: { [ENTRY_PROPERTY]: entry.id },
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
