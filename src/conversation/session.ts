/** What the store keeps for each conversation. */
import type { PendingInvite } from './invite-state.ts';
import type { PlannedReminder } from './reminder-plan.ts';
import type { Locale, Verdict } from './types.ts';

/** Built-in states that every flow has, besides its own. */
export const TIPS_STATE = '@tips';
export const CONFIRM_DELETE_STATE = '@confirm_delete';
/** Language, tips opt-out, reminders and data deletion in one menu. */
export const SETTINGS_STATE = '@settings';
/** The question after the meeting: how did it go? */
export const FOLLOWUP_STATE = '@followup';
export const FOLLOWUP_OUTCOMES = ['offer', 'waiting', 'rejected', 'skip'] as const;

export interface Session {
  flowId: string;
  flowVersion: number;
  /** A state of the flow, or one of the built-in states above. */
  state: string;
  /** Question id -> choice value, or an ISO instant for a date answer. */
  answers: Record<string, string>;
  /** Questions answered, oldest first: `back` walks this. */
  history: string[];
  /** Where a built-in state (tips, delete confirmation) returns to. */
  returnTo?: string;
  locale: Locale;
  timeZone: string;
  /** Opted out of broadcast tips. */
  optedOut: boolean;
  verdict?: Verdict;
  /** Reminders still to come; the source of truth that jobs on Redis mirror. */
  reminders?: PlannedReminder[];
  /** What a pasted invitation said, until the user has confirmed it (values only, never the text). */
  invite?: PendingInvite;
  /** An advisor handles the conversation since then: the bot answers nothing itself (handoff-state.ts). */
  handoff?: { since: string };
  /** The user's first words were acknowledged; later words that answer nothing get the expected choices instead. */
  acknowledged?: true;
  /** The last few texts the bot could not answer, shown to the advisor if the user asks for one. */
  recent?: string[];
  updatedAt: string;
}
