/**
 * Each Events API delivery is processed once. Slack retries an event (same `event_id`,
 * `X-Slack-Retry-Num` over HTTP, `retry_attempt` over Socket Mode) when it did not hear back
 * in time; the inbox claims the id in the round trip that stores the event
 * (receiver.ts `accept`), so every repeat finds it taken.
 */
import { eventEnvelopeSchema } from './payloads.ts';

export function eventIdOf(body: unknown): string | undefined {
  const envelope = eventEnvelopeSchema.safeParse(body);
  return envelope.success ? envelope.data.event_id : undefined;
}
