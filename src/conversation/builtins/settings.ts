/** Language, tips opt-out, reminders and data deletion in one menu; each entry runs the command a keyword also reaches. */
import type { Action } from '../flow-schema.ts';
import { SETTINGS_STATE } from '../session.ts';
import type { BuiltIn } from './types.ts';

const ACTIONS = ['language', 'optOut', 'optIn', 'cancelReminders', 'askDelete'] as const satisfies readonly Action[];

export const settings: BuiltIn = {
  state: SETTINGS_STATE,
  prompt: 'system.settings.prompt',
  choices: (_content, session) => [
    // Only the opt-in or opt-out that changes something is offered.
    ...ACTIONS.filter((a) => (session.optedOut ? a !== 'optOut' : a !== 'optIn')).map((action) => ({
      value: action,
      label: `system.settings.${action}`,
      then: { run: action },
    })),
    { value: 'resume', label: 'system.settings.back', then: 'resume' },
  ],
};
