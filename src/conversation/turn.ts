/**
 * One turn being computed, and the small moves every part of the engine makes on it
 * (translate, say, record an answer, replace the reminder plan). Nothing here decides where
 * the conversation goes; that is `navigation.ts`.
 */
import type { HandoffSettings } from '../handoff/types.ts';
import type { Content } from './content.ts';
import { formatMeetingTime } from './dates.ts';
import { translate, type Vars } from './i18n.ts';
import { DEFAULT_REMINDER_SETTINGS, type PlannedReminder, type ReminderSettings } from './reminder-plan.ts';
import type { Session } from './session.ts';
import type { Locale, Outbound, SideEffect } from './types.ts';

export interface EngineContext {
  content: Content;
  now: Date;
  maxDaysAhead: number;
  defaults: { locale: Locale; timeZone: string };
  reminders?: ReminderSettings;
  /** Someone answers advisor requests (a staff route is configured); without it none are offered. */
  advisor?: HandoffSettings;
}

export interface StepResult {
  /** `null`: the user asked for their data to be deleted; `undefined`: nothing to save. */
  session: Session | null | undefined;
  messages: Outbound[];
  effects: SideEffect[];
}

/** One turn being computed: the session copy it mutates and what it has to say. */
export interface Turn {
  ctx: EngineContext;
  s: Session;
  messages: Outbound[];
  effects: SideEffect[];
  /** The user's data is to be deleted: the step returns no session. */
  deleted: boolean;
}

export function t(turn: Turn, key: string, vars?: Vars): string {
  return translate(turn.ctx.content.catalog, turn.s.locale, key, vars);
}

export function say(turn: Turn, key: string, vars?: Vars): void {
  turn.messages.push({ kind: 'text', text: t(turn, key, vars) });
}

/** A card of a title and bullet lines (tips, the evening-before checklist). */
export function sayList(turn: Turn, title: string, lines: string[]): void {
  turn.messages.push({
    kind: 'card',
    title,
    summary: '',
    sections: [{ heading: '', lines }],
    altText: [title, ...lines.map((l) => `・${l}`)].join('\n'),
  });
}

/** An instant as the user reads it: their language, their time zone. */
export function when(turn: Turn, iso: string): string {
  return formatMeetingTime(new Date(iso), turn.s.locale, turn.s.timeZone);
}

export function recordAnswer(turn: Turn, question: string, value: string): void {
  turn.s.answers[question] = value;
  turn.s.history = [...turn.s.history.filter((q) => q !== question), question];
}

export function reminderSettings(turn: Turn): ReminderSettings {
  return turn.ctx.reminders ?? DEFAULT_REMINDER_SETTINGS;
}

/**
 * Asks the outside world to act once the session is saved. Every effect of the engine goes
 * through here; `SideEffect` in types.ts lists the kinds.
 */
export function raise(turn: Turn, effect: SideEffect): void {
  turn.effects.push(effect);
}

/** Replaces the plan in the session; the effect lets the job layer make Redis match. */
export function setReminders(turn: Turn, reminders: PlannedReminder[]): void {
  turn.s.reminders = reminders;
  raise(turn, { type: 'remindersChanged', reminders });
}

export function dateOptions(turn: Turn) {
  return { now: turn.ctx.now, timeZone: turn.s.timeZone, maxDaysAhead: turn.ctx.maxDaysAhead };
}
