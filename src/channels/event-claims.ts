/**
 * Every platform event is processed once. Webhooks (LINE, Slack over HTTP) and Slack's Socket
 * Mode connection claim an event id in the same round trip that stores the event in the inbox
 * (src/store/inbox.ts), kept for `EVENT_REDELIVERY_TTL_SECONDS`: once stored, the event is
 * never lost, so a redelivery is always a duplicate.
 */
import type { Channel } from '../conversation/types.ts';

/** How long a processed event's id is kept: longer than the platform redelivers it. */
export const EVENT_REDELIVERY_TTL_SECONDS = {
  /** LINE redelivers for a limited time; a day or three leaves room (one small key per event). */
  line: 3 * 86_400,
  /** Slack stops retrying after about an hour; a day leaves room. */
  slack: 86_400,
} as const;

/** How long the inbox remembers an accepted event id, for every channel (the console has no webhook). */
export const INBOX_SEEN_TTL_SECONDS: Record<Channel, number> = { ...EVENT_REDELIVERY_TTL_SECONDS, console: 60 };
