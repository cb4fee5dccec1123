/**
 * Each Events API delivery is processed once (the protocol in ../event-claims.ts). Slack
 * retries an event (same `event_id`, `X-Slack-Retry-Num` set) when it did not hear back in
 * time; the first delivery claims the id and every repeat finds it taken.
 */
import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { Logger } from 'pino';
import type { EventClaims } from '../event-claims.ts';
import { eventEnvelopeSchema } from './payloads.ts';

export function eventIdOf(body: unknown): string | undefined {
  const envelope = eventEnvelopeSchema.safeParse(body);
  return envelope.success ? envelope.data.event_id : undefined;
}

/**
 * The same rule for Socket Mode, where no HTTP request can be refused: Bolt has already
 * acknowledged the envelope, so a failed claim can only drop the event (and log it).
 */
export function socketModeDedupe(claims: EventClaims, logger: Logger): Middleware<AnyMiddlewareArgs> {
  return async ({ body, next }) => {
    const eventId = eventIdOf(body);
    if (eventId === undefined) return next();
    let first: boolean;
    try {
      first = await claims.claim(eventId);
    } catch (error) {
      logger.error({ error: (error as Error).message }, 'slack event dropped: dedupe store unavailable');
      return;
    }
    if (!first) return;
    try {
      await next();
      await claims.confirm(eventId);
    } catch (error) {
      await claims.release(eventId).catch(() => undefined);
      throw error;
    }
  };
}
