/**
 * Advisor handoffs as storage sees them: one record per request, its messages in order,
 * and the indexes staff and the conversation look them up by. Redis (handoffs.ts) and
 * memory (memory-handoffs.ts) implement it; test/handoff-store.test.ts runs both.
 */
import type { UserRef } from '../conversation/types.ts';
import type { DeliveryState, Handoff, HandoffMessage } from '../handoff/types.ts';

export type NewHandoff = Omit<Handoff, 'status' | 'takenBy' | 'takenAt' | 'overdueAt' | 'endedAt' | 'endedBy' | 'slackChannel' | 'slackTs'>;

/** Fields that change after the request; `null` removes one. */
export type HandoffPatch = { [K in 'dueAt' | 'overdueAt' | 'slackChannel' | 'slackTs']?: string | null };

export type TakeResult = { ok: true; handoff: Handoff; previous?: string } | { ok: false; handoff: Handoff };

export interface HandoffStore {
  /** Opens a handoff for the user, or returns the one not ended yet (`created: false`). */
  open(fields: NewHandoff): Promise<{ handoff: Handoff; created: boolean }>;
  get(id: string): Promise<Handoff | undefined>;
  /** The user's handoff that is not ended yet. */
  active(user: UserRef): Promise<Handoff | undefined>;
  /** The handoff whose staff-channel message is `ts`. */
  byThread(channel: string, ts: string): Promise<Handoff | undefined>;
  /** Newest first. */
  list(limit: number): Promise<Handoff[]>;
  update(id: string, patch: HandoffPatch): Promise<Handoff | undefined>;
  /** Marks it taken by `staff` (taking over from someone else is allowed); refused once ended. */
  take(id: string, staff: string, at: string): Promise<TakeResult | undefined>;
  /** Ends it once; `changed: false` when it had ended before. */
  end(id: string, by: string, at: string): Promise<{ handoff: Handoff; changed: boolean } | undefined>;
  /** Appends once per message id: the same id again returns the stored message. */
  append(id: string, message: HandoffMessage): Promise<{ message: HandoffMessage; created: boolean }>;
  setDelivery(id: string, messageId: string, delivery: DeliveryState, detail?: string): Promise<void>;
  messages(id: string): Promise<HandoffMessage[]>;
  /** Every handoff of the user and their messages (the user asked for their data to be deleted). */
  deleteForUser(user: UserRef): Promise<void>;
}
