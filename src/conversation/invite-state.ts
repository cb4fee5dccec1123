/** The built-in states of a pasted invitation, and what the session holds while the user checks it. */

/** The card of what was read, with buttons to confirm or correct it. */
export const INVITE_CONFIRM_STATE = '@invite_confirm';
/** Several times were proposed: which one did the user choose? */
export const INVITE_SLOT_STATE = '@invite_slot';
export const INVITE_STATES: readonly string[] = [INVITE_CONFIRM_STATE, INVITE_SLOT_STATE];

/**
 * The answers read from an invitation, kept only until the user has checked them. Values
 * of the flow's questions and instants, never the text of the mail.
 */
export interface PendingInvite {
  /** Question id -> choice value. */
  answers: Record<string, string>;
  /** Proposed start times (ISO instants) whose weekday agreed with the date. */
  slots: string[];
  /** Proposed times whose written weekday disagreed with the date: asked about, not used. */
  mismatched: string[];
  /** The date the company asks a reply by, YYYY-MM-DD in the user's zone. */
  replyBy?: string;
}
