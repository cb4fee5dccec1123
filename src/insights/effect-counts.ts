/**
 * What one conversation step adds to the counters, from the effects it raised: pure, so
 * the mapping is tested without Redis. The session (after the step) supplies the user's
 * language and the answers a count is broken down by; nothing about the person is kept.
 */
import type { Session } from '../conversation/session.ts';
import type { SideEffect, UserRef } from '../conversation/types.ts';
import { field, MODE_QUESTION } from './fields.ts';

export interface StepCounts {
  counts: Record<string, number>;
  /** The step opted the user out: count it against the broadcasts of the last day too. */
  optedOut: boolean;
}

export function effectCounts(user: UserRef, effects: readonly SideEffect[], session: Session | null): StepCounts {
  const counts: Record<string, number> = {};
  const add = (key: string, n = 1) => (counts[key] = (counts[key] ?? 0) + n);
  const locale = session?.locale ?? 'ja';
  let optedOut = false;
  for (const effect of effects) {
    switch (effect.type) {
      case 'verdictReached': {
        add(field.verdict(effect.verdict));
        const mode = session?.answers[MODE_QUESTION];
        if (mode) add(field.mode(effect.verdict, mode));
        break;
      }
      case 'optOut':
        optedOut = true;
        add(field.user('optedOut', user.channel, locale));
        break;
      case 'optIn':
        add(field.user('optedIn', user.channel, locale));
        break;
      default:
        break;
    }
  }
  return { counts, optedOut };
}

