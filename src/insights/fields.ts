/**
 * The names of the daily counters, in one place: the recorder writes them, the report reads
 * them. Each name is made of enumerations only (channel, language, question, verdict,
 * reminder kind, broadcast id), never of anything a user typed or who they are.
 */
import type { FOLLOWUP_OUTCOMES } from '../conversation/session.ts';

export const USER_EVENTS = ['new', 'returned', 'blocked', 'optedOut', 'optedIn'] as const;
export type UserEvent = (typeof USER_EVENTS)[number];

/** Why a reminder was not sent: quiet hours would have pushed it too late, its moment passed, the user blocked the bot. */
export const REMINDER_SKIPS = ['quietHours', 'tooLate', 'blocked'] as const;
export type ReminderSkip = (typeof REMINDER_SKIPS)[number];

export type FollowUpAnswer = (typeof FOLLOWUP_OUTCOMES)[number];

export const BROADCAST_COUNTS = ['recipients', 'sent', 'failed', 'skipped', 'optOuts'] as const;
export type BroadcastCount = (typeof BROADCAST_COUNTS)[number];

/** The flow's meeting-mode question, whose answer is counted with the verdict it led to. */
export const MODE_QUESTION = 'meeting_mode';

/** Answer times longer than this (a week) are counted as this. */
export const MAX_ANSWER_MINUTES = 7 * 24 * 60;

export const field = {
  user: (event: UserEvent, channel: string, locale: string) => `user.${event}.${channel}.${locale}`,
  reached: (state: string) => `funnel.reached.${state}`,
  answered: (state: string) => `funnel.answered.${state}`,
  verdict: (verdict: string) => `verdict.${verdict}`,
  /** The meeting mode answered, counted with the verdict it led to. */
  mode: (verdict: string, mode: string) => `mode.${verdict}.${mode}`,
  invitationRead: 'invitation.read',
  invitationNotInvite: 'invitation.notInvite',
  followUpAsked: (verdict: string) => `followup.asked.${verdict}`,
  followUp: (answer: FollowUpAnswer, verdict: string) => `followup.${answer}.${verdict}`,
  reminderPlanned: (kind: string) => `reminder.planned.${kind}`,
  reminderSent: (kind: string) => `reminder.sent.${kind}`,
  reminderSkipped: (reason: ReminderSkip, kind: string) => `reminder.skipped.${reason}.${kind}`,
  reminderFailed: (kind: string) => `reminder.failed.${kind}`,
  /** A broadcast's counters are `broadcast.<id>.<count>`; opt-outs are added by a script that only knows the id. */
  broadcastPrefix: 'broadcast.',
  optOutsSuffix: '.optOuts',
  broadcast: (id: string, count: BroadcastCount) => `${field.broadcastPrefix}${id}.${count}`,
  handoffRequested: 'handoff.requested',
  /** A histogram: how many first staff answers came after this many whole minutes. */
  handoffAnswerPrefix: 'handoff.answerMinutes.',
  handoffAnswerMinutes: (minutes: number) => `${field.handoffAnswerPrefix}${Math.min(MAX_ANSWER_MINUTES, Math.max(0, Math.floor(minutes)))}`,
  handoffOverdue: 'handoff.overdue',
} as const;
