/**
 * Counts webhook events where "once" is decided: each channel claims an event id in the
 * dedupe store before working on it and confirms the claim when the work is saved. A
 * refused claim is a dropped duplicate; a confirmation is a processed event. Counting here
 * keeps the channels' webhook code free of metrics and counts HTTP and Socket Mode alike.
 */
import type { Channel } from '../conversation/types.ts';
import type { Store } from '../store/types.ts';
import type { Metrics } from './metrics.ts';

/**
 * Dedupe scopes that hold platform event ids (LINE `webhookEventId`, Slack `event_id`),
 * as named in src/channels/event-claims.ts. Other scopes
 * (group notices, button answers, push parts) are not events and are not counted.
 */
export const EVENT_SCOPES: Readonly<Record<string, Channel>> = { line: 'line', slack: 'slack' };

type EventMetrics = Pick<Metrics, 'eventsProcessed' | 'duplicatesDropped'>;

/** The same store, with event claims and confirmations counted. */
export function withEventMetrics(store: Store, metrics: EventMetrics): Store {
  const { dedupe } = store;
  const metered: Store['dedupe'] = {
    claim: async (scope, id, ttlSeconds) => {
      const first = await dedupe.claim(scope, id, ttlSeconds);
      const channel = EVENT_SCOPES[scope];
      if (!first && channel) metrics.duplicatesDropped.inc({ channel });
      return first;
    },
    release: (scope, id) => dedupe.release(scope, id),
    confirm: async (scope, id, ttlSeconds) => {
      await dedupe.confirm(scope, id, ttlSeconds);
      const channel = EVENT_SCOPES[scope];
      if (channel) metrics.eventsProcessed.inc({ channel });
    },
  };
  // Everything else is the store itself (its methods keep their `this`), so members added
  // to Store later pass through untouched.
  return Object.assign(Object.create(store) as Store, { dedupe: metered });
}
