/**
 * Each Events API delivery is processed once. Slack retries an event (same `event_id`,
 * `X-Slack-Retry-Num` set) when it did not hear back in time; the first delivery claims
 * the id in Redis and every repeat finds it taken.
 */
import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Store } from '../../store/types.ts';
import { eventEnvelopeSchema } from './payloads.ts';

const EVENT_SCOPE = 'slack';
/** Slack stops retrying after about an hour; a day leaves room. */
const EVENT_CLAIM_TTL_SECONDS = 86_400;
/** Until its listener has finished, a claim is short: a crash mid-event must not hide Slack's retry for a day. */
const EVENT_PROCESSING_TTL_SECONDS = 120;

export function eventIdOf(body: unknown): string | undefined {
  const envelope = eventEnvelopeSchema.safeParse(body);
  return envelope.success ? envelope.data.event_id : undefined;
}

export function claimEvent(store: Store, eventId: string): Promise<boolean> {
  return store.dedupe.claim(EVENT_SCOPE, eventId, EVENT_PROCESSING_TTL_SECONDS);
}

export function confirmEvent(store: Store, eventId: string): Promise<void> {
  return store.dedupe.confirm(EVENT_SCOPE, eventId, EVENT_CLAIM_TTL_SECONDS);
}

export function releaseEvent(store: Store, eventId: string): Promise<void> {
  return store.dedupe.release(EVENT_SCOPE, eventId);
}

/**
 * The same rule for Socket Mode, where no HTTP request can be refused: Bolt has already
 * acknowledged the envelope, so a failed claim can only drop the event (and log it).
 */
export function socketModeDedupe(store: Store, logger: Logger): Middleware<AnyMiddlewareArgs> {
  return async ({ body, next }) => {
    const eventId = eventIdOf(body);
    if (eventId === undefined) return next();
    let first: boolean;
    try {
      first = await claimEvent(store, eventId);
    } catch (error) {
      logger.error({ error: (error as Error).message }, 'slack event dropped: dedupe store unavailable');
      return;
    }
    if (!first) return;
    try {
      await next();
      await confirmEvent(store, eventId);
    } catch (error) {
      await releaseEvent(store, eventId).catch(() => undefined);
      throw error;
    }
  };
}
