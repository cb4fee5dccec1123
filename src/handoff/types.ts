/** A conversation passed from the bot to a person at the agency, and what was said in it. */
import type { Locale, UserRef } from '../conversation/types.ts';
import type { BusinessHours } from './hours.ts';
import type { HandoffSummary } from './summary.ts';

export const HANDOFF_STATUSES = ['open', 'taken', 'ended'] as const;
export type HandoffStatus = (typeof HANDOFF_STATUSES)[number];

export interface Handoff {
  id: string;
  user: UserRef;
  /** The name the platform shows for the user, when it told us. */
  displayName?: string;
  locale: Locale;
  timeZone: string;
  status: HandoffStatus;
  createdAt: string;
  /** The staff member answering, and since when. */
  takenBy?: string;
  takenAt?: string;
  /** An answer is owed by then (ADVISOR_REPLY_HOURS after the user last waited); unset once staff reply. */
  dueAt?: string;
  /** When the user was told no answer came in time (once per wait). */
  overdueAt?: string;
  endedAt?: string;
  /** A staff name, or `user` when the user went back to the bot. */
  endedBy?: string;
  /** The request's message in the staff Slack channel; its thread is the conversation. */
  slackChannel?: string;
  slackTs?: string;
  /** The diagnosis so far in words, as staff read it (fixed at the request). */
  summary: HandoffSummary;
}

export const MESSAGE_AUTHORS = ['user', 'staff', 'system'] as const;
export type MessageAuthor = (typeof MESSAGE_AUTHORS)[number];

/** pending: being delivered; refused: too long, never sent; blocked: the user blocked the bot. */
export const DELIVERY_STATES = ['pending', 'sent', 'blocked', 'unreachable', 'failed', 'refused'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export interface HandoffMessage {
  /** Stable per message: a retried delivery or a redelivered Slack event finds the same one. */
  id: string;
  at: string;
  from: MessageAuthor;
  text: string;
  /** The staff member who wrote it. */
  staff?: string;
  /** Where a staff reply was written: the Slack thread or the staff page. */
  via?: 'slack' | 'page';
  /** Staff replies only: how delivery to the user went. */
  delivery?: DeliveryState;
  detail?: string;
}

export interface HandoffSettings {
  /** Advisors answer only within these hours; undefined: always. */
  hours?: BusinessHours;
  replyHours: number;
}
