/**
 * The neutral vocabulary between chat platforms and the conversation core. Channel
 * adapters translate platform events into `Inbound` and render `Outbound`; the core never
 * sees a platform type.
 */

import type { PlannedReminder } from './reminder-plan.ts';
import type { FOLLOWUP_OUTCOMES } from './session.ts';

export const LOCALES = ['ja', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

export const CHANNELS = ['line', 'slack', 'console'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Who a conversation belongs to: a channel plus the platform's own user id. */
export interface UserRef {
  channel: Channel;
  id: string;
}

/** What the user did, in platform-neutral terms. */
export type Inbound =
  /** Typed text (may be empty, emoji-only, or very long). */
  | { kind: 'text'; text: string }
  /** A button / quick reply / postback. `state` is the question the button belonged to. */
  | { kind: 'choice'; value: string; state?: string }
  /** A value from a platform date-time picker, as an ISO 8601 string. */
  | { kind: 'datetime'; iso: string; state?: string }
  /** A sticker, image, audio, location, file... anything we cannot read. */
  | { kind: 'unsupported'; what: string }
  /** The user followed / opened the bot for the first time. */
  | { kind: 'start' }
  /** The user blocked / unfollowed the bot: nothing more is planned for them. */
  | { kind: 'blocked' }
  /** A scheduled reminder came due (sent by the reminder worker through the same path as a message). */
  | { kind: 'reminder'; reminder: PlannedReminder }
  /** From the advisor handoff: staff handed the user back to the bot, or no answer came in time. */
  | { kind: 'handoff'; event: 'ended' | 'overdue' };

/** One selectable option rendered as a button (LINE quick reply, Slack button, numbered line). */
export interface Choice {
  value: string;
  label: string;
}

export interface CardSection {
  heading: string;
  lines: string[];
}

/** A message the core wants shown. Texts are already localised. */
export type Outbound =
  | { kind: 'text'; text: string }
  /** A question with buttons; `state` lets adapters tag the buttons so stale taps are detectable. */
  | { kind: 'choices'; text: string; choices: Choice[]; state: string }
  /** A question whose answer is a date and time; `choices` are the non-date options. */
  | { kind: 'dateInput'; text: string; choices: Choice[]; state: string; min: string; max: string }
  /** A rich result: a title, a highlighted summary, sections of lines. `altText` is a plain fallback. */
  | { kind: 'card'; title: string; summary: string; sections: CardSection[]; altText: string };

export const VERDICTS = ['offer_meeting', 'closing_meeting', 'recruiter_meeting', 'feedback_or_status'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Things the core asks the outside world to do; later subsystems act on them. */
export type SideEffect =
  | { type: 'meetingSet'; at: string; timeZone: string }
  | { type: 'meetingCleared' }
  | { type: 'replyPending' }
  | { type: 'verdictReached'; verdict: Verdict }
  /** The session's reminder plan changed; the job layer makes Redis match it. */
  | { type: 'remindersChanged'; reminders: PlannedReminder[] }
  | { type: 'optOut' }
  | { type: 'optIn' }
  | { type: 'deleteData' }
  /** The user asked for an advisor; `recent`: what they typed just before that the bot could not answer. */
  | { type: 'advisorRequested'; recent: string[] }
  /** The user wrote while an advisor handles the conversation: it goes to the staff. */
  | { type: 'handoffMessage'; text: string }
  /** Told that nobody answered in time, the user keeps waiting. */
  | { type: 'handoffWait' }
  /** The user went back to the bot. */
  | { type: 'handoffEnded' }
  | { type: 'localeChanged'; locale: Locale }
  // Counted for the staff's insights (src/insights); nothing else acts on these.
  /** A conversation began: the first contact, or the first after the user's data was deleted. */
  | { type: 'userJoined' }
  /** The user followed or opened the bot again while their conversation is kept. */
  | { type: 'userReturned' }
  /** The user blocked / unfollowed the bot. */
  | { type: 'userLeft' }
  /** A diagnosis question came up as the next step (asking it again after a slip does not count). */
  | { type: 'questionReached'; state: string }
  /** A diagnosis question was answered: with the choice's value, or without one for a date. */
  | { type: 'questionAnswered'; state: string; choice?: string }
  /** The question after the meeting was asked, and how the user answered it. */
  | { type: 'followUpAsked' }
  | { type: 'followUpAnswered'; outcome: (typeof FOLLOWUP_OUTCOMES)[number] }
  /** A pasted text was read: an invitation, or a mail that is none. */
  | { type: 'invitationRead'; isInvite: boolean };
