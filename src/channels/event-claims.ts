/**
 * Every platform event is processed once. Webhooks (LINE, Slack over HTTP) claim an event id
 * in the same round trip that stores the event in the inbox (src/store/inbox.ts), kept for
 * `EVENT_REDELIVERY_TTL_SECONDS`: once stored, the event is never lost, so a redelivery is
 * always a duplicate. Slack Socket Mode has no inbox (Bolt acknowledged the envelope
 * already) and uses the claim protocol below:
 *
 *   claim (short TTL) → process → confirm (kept while the platform may redeliver)
 *                              ↘ release on failure, so the redelivery is processed
 *
 * The claim is short while the event is processed, so a process that dies mid-event leaves
 * a claim that expires in minutes and the platform's redelivery is processed then. The scope
 * is the channel's name (observability/event-metrics.ts counts claims by it).
 */
import type { Channel } from '../conversation/types.ts';
import type { DedupeStore } from '../store/types.ts';

/** How long an event is claimed while it is processed. */
export const EVENT_PROCESSING_TTL_SECONDS = 120;

/** How long a processed event's id is kept: longer than the platform redelivers it. */
export const EVENT_REDELIVERY_TTL_SECONDS = {
  /** LINE redelivers for a limited time; a day or three leaves room (one small key per event). */
  line: 3 * 86_400,
  /** Slack stops retrying after about an hour; a day leaves room. */
  slack: 86_400,
} as const;

export type EventChannel = keyof typeof EVENT_REDELIVERY_TTL_SECONDS;

/** How long the inbox remembers an accepted event id, for every channel (the console has no webhook). */
export const INBOX_SEEN_TTL_SECONDS: Record<Channel, number> = { ...EVENT_REDELIVERY_TTL_SECONDS, console: 60 };

export interface EventClaims {
  /** True the first time; false for a repeat (or an event being processed elsewhere). */
  claim(eventId: string): Promise<boolean>;
  /** The event's work is saved: keep the id while the platform may redeliver it. */
  confirm(eventId: string): Promise<void>;
  /** The event failed: give the id back so the redelivery is processed. */
  release(eventId: string): Promise<void>;
}

export function eventClaims(dedupe: DedupeStore, channel: EventChannel): EventClaims {
  return {
    claim: (eventId) => dedupe.claim(channel, eventId, EVENT_PROCESSING_TTL_SECONDS),
    confirm: (eventId) => dedupe.confirm(channel, eventId, EVENT_REDELIVERY_TTL_SECONDS[channel]),
    release: (eventId) => dedupe.release(channel, eventId),
  };
}
