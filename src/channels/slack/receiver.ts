/**
 * A Bolt receiver without a server of its own: the Fastify route (plugin.ts) verifies and
 * parses a request, then `dispatch` runs it through Bolt and resolves with the HTTP answer
 * as soon as a listener acks. The listener's remaining work continues after the response.
 */
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import type { Logger } from 'pino';
import type { EventClaims } from '../event-claims.ts';
import { eventIdOf } from './dedupe.ts';
import { describeError } from './errors.ts';
import type { SlackBody } from './payloads.ts';
import type { PendingWork } from './pending.ts';

export interface Acknowledgement {
  status: number;
  /** Text or JSON for Slack (a slash command's immediate reply); none for a bare 200. */
  body?: string | Record<string, unknown>;
}

export interface DispatchMeta {
  retryNum?: number;
  retryReason?: string;
}

export interface FastifyReceiverOptions {
  /** Each event once (../event-claims.ts). */
  claims: EventClaims;
  logger: Logger;
  pending: PendingWork;
  /** Slack gives up after 3 s; answer a little before if no listener acked by then. */
  ackTimeoutMs?: number;
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

  /** Throws only when the dedupe store is unreachable: the caller answers 5xx so Slack retries. */
  async dispatch(body: SlackBody, meta: DispatchMeta): Promise<Acknowledgement> {
    const { claims, logger, pending } = this.options;
    const app = this.app;
    if (!app) throw new Error('FastifyReceiver used before Bolt initialised it');
    const eventId = eventIdOf(body);
    if (eventId !== undefined && !(await claims.claim(eventId))) {
      logger.debug({ retryNum: meta.retryNum }, 'slack event already processed');
      return { status: 200 };
    }

    return new Promise<Acknowledgement>((resolve) => {
      let answered = false;
      let acked = false;
      const answer = (ack: Acknowledgement) => {
        if (answered) return;
        answered = true;
        clearTimeout(timer);
        resolve(ack);
      };
      const timer = setTimeout(() => {
        logger.warn({ type: body.type }, 'slack listener did not ack in time; answered 200 anyway');
        answer({ status: 200 });
      }, this.options.ackTimeoutMs ?? 2500);

      const event: ReceiverEvent = {
        body,
        ...(meta.retryNum !== undefined ? { retryNum: meta.retryNum } : {}),
        ...(meta.retryReason !== undefined ? { retryReason: meta.retryReason } : {}),
        ack: async (response?: unknown) => {
          if (acked) throw new Error('a Slack request was acknowledged twice');
          acked = true;
          answer(acknowledgement(response));
        },
      };
      const work = app.processEvent(event).then(
        async () => {
          // No listener for it (an event we do not use): Slack still needs its 200.
          answer({ status: 200 });
          if (eventId !== undefined) {
            await claims.confirm(eventId).catch((error: unknown) =>
              logger.warn({ error: describeError(error) }, 'could not confirm a processed slack event'),
            );
          }
        },
        async (error: unknown) => {
          logger.error({ type: body.type, error: describeError(error) }, 'slack listener failed');
          // Let a redelivery of this event run again instead of being taken for a duplicate.
          if (eventId !== undefined) await claims.release(eventId).catch(() => undefined);
          answer({ status: 500 });
        },
      );
      pending.track(work);
    });
  }
}

function acknowledgement(response: unknown): Acknowledgement {
  if (response === undefined || response === null || response === '') return { status: 200 };
  if (typeof response === 'string') return { status: 200, body: response };
  return { status: 200, body: response as Record<string, unknown> };
}
