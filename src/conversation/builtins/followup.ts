/** The question after the meeting: how did it go? Each outcome gets its own short reply. */
import { FOLLOWUP_OUTCOMES, FOLLOWUP_STATE } from '../session.ts';
import type { BuiltIn, BuiltInChoice } from './types.ts';

const CHOICES: readonly BuiltInChoice[] = FOLLOWUP_OUTCOMES.map((outcome) => ({
  value: outcome,
  label: `reminder.followup.choice.${outcome}`,
  say: `reminder.followup.${outcome}`,
  raise: { type: 'followUpAnswered', outcome },
  then: 'resume',
}));

export const followup: BuiltIn = {
  state: FOLLOWUP_STATE,
  prompt: 'reminder.followup.prompt',
  choices: () => [...CHOICES],
};
