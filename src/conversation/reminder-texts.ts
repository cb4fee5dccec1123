/**
 * Which texts a meeting reminder shows, from the user's answers (pure: locale keys only).
 * Like the result card, a line is chosen only where it is true for the answers given: the
 * evening before a status or feedback meeting prepares for both outcomes, and a meeting whose
 * mode is not known yet gets no in-person-only line.
 */
import type { Answers } from './conditions.ts';
import { diagnose } from './diagnosis.ts';
import type { Flow } from './flow-schema.ts';

/** The evening-before checklist lines. */
export function eveningKeys(flow: Flow, answers: Answers): string[] {
  const { verdict, stage } = diagnose(flow, answers);
  const mode = answers.meeting_mode;
  return [
    // Earlier interviews matter while it is still selection (GUIDE 5, consistency).
    ...(stage === 'after_offer' ? [] : ['reminder.eve.reread']),
    'reminder.eve.other_companies',
    answers.first_choice === 'yes' ? 'reminder.eve.first_choice' : 'reminder.eve.preference',
    ...(verdict === 'offer_meeting' ? ['reminder.eve.questions'] : []),
    ...(verdict === 'feedback_or_status' ? ['reminder.eve.both_outcomes'] : []),
    mode === 'online' ? 'reminder.eve.online' : mode === 'in_person' ? 'reminder.eve.route' : 'reminder.eve.mode_unknown',
  ];
}

/** The line after "your meeting is in two hours". */
export function beforeKey(answers: Answers): string {
  const mode = answers.meeting_mode;
  return mode === 'online' ? 'reminder.before.online' : mode === 'in_person' ? 'reminder.before.in_person' : 'reminder.before.mode_unknown';
}

/** Every key the functions above can return, for content validation. */
export const REMINDER_TEXT_KEYS = [
  ...['reread', 'other_companies', 'first_choice', 'preference', 'questions', 'both_outcomes', 'online', 'route', 'mode_unknown'].map(
    (k) => `reminder.eve.${k}`,
  ),
  ...['in_person', 'online', 'mode_unknown'].map((k) => `reminder.before.${k}`),
];
