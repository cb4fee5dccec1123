/**
 * A reminder job fired. Only a reminder still in the plan is delivered: a rescheduled or
 * cancelled one is recognised here and says nothing.
 */
import { interrupt } from './navigation.ts';
import type { PlannedReminder } from './reminder-plan.ts';
import { beforeKey, eveningKeys } from './reminder-texts.ts';
import { FOLLOWUP_STATE } from './session.ts';
import { raise, say, sayList, t, when, type Turn } from './turn.ts';

function sameReminder(a: PlannedReminder, b: PlannedReminder): boolean {
  return a.kind === b.kind && a.at === b.at;
}

export function fireReminder(turn: Turn, reminder: PlannedReminder): void {
  const planned = turn.s.reminders ?? [];
  if (!planned.some((r) => sameReminder(r, reminder))) return;
  turn.s.reminders = planned.filter((r) => !sameReminder(r, reminder));
  const vars = { when: reminder.meetingAt ? when(turn, reminder.meetingAt) : '' };
  switch (reminder.kind) {
    case 'reply':
      return say(turn, 'reminder.reply');
    case 'eve': {
      const lines = eveningKeys(turn.ctx.content.flow, turn.s.answers).map((key) => t(turn, key));
      return sayList(turn, t(turn, 'reminder.eve.title', vars), lines);
    }
    case 'before':
      say(turn, 'reminder.before.text', vars);
      return say(turn, beforeKey(turn.s.answers));
    case 'after':
      raise(turn, { type: 'followUpAsked' });
      return interrupt(turn, FOLLOWUP_STATE);
  }
}
