/**
 * The durable inbox between webhooks and conversation workers, in neutral terms: a webhook
 * appends what it accepted (claiming each event id in the same round trip) and answers the
 * platform; workers take entries in order per user and acknowledge them once handled.
 */
import type { Channel } from '../conversation/types.ts';

/** What a webhook hands to the inbox: one platform event (or Slack request). */
export interface NewEntry {
  channel: Channel;
  /** Whose order this entry keeps (a user, a group): entries with one key stay in order. */
  key: string;
  /** The platform's event id, claimed once; none for requests the platform never repeats. */
  eventId?: string;
  /** The event as the channel wants to read it back (JSON). */
  data: string;
}

export type AppendOutcome =
  /** Every entry is in the inbox, or was already (a redelivery). */
  | { status: 'accepted'; appended: number; duplicates: number }
  /** The inbox is over its depth: nothing of this request was taken, ask for a redelivery. */
  | { status: 'full' };

/** The accepting side of the inbox (web processes). */
export interface InboxWriter {
  /** One round trip per partition touched; throws when Redis cannot be reached. */
  append(entries: NewEntry[]): Promise<AppendOutcome>;
}

/** One entry as a worker hands it to its channel. */
export interface InboxEntry {
  /** The stream id: unique, and its first part is when the entry was accepted (ms). */
  id: string;
  channel: Channel;
  key: string;
  data: string;
  /** When the webhook accepted it (ms since the epoch, Redis's clock). */
  acceptedAt: number;
}

/** Handles one entry; a throw leaves it in the inbox to be tried again. */
export type InboxHandler = (entry: InboxEntry) => Promise<void>;

/** How long a webhook refused for back-pressure asks the platform to wait. */
export const INBOX_RETRY_AFTER_SECONDS = 5;

/** For channels built only to send (reminder and broadcast tools): their webhook refuses with 503. */
export const NO_INBOX: InboxWriter = {
  append: async () => {
    throw new Error('this channel was built without an inbox; it only sends');
  },
};
