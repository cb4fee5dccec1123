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

const NO_VERDICT = 'none';

export function effectCounts(user: UserRef, effects: readonly SideEffect[], session: Session | null): StepCounts {
  const counts: Record<string, number> = {};
  const add = (key: string) => (counts[key] = (counts[key] ?? 0) + 1);
  const locale = session?.locale ?? 'ja';
  const verdict = session?.verdict ?? NO_VERDICT;
  let optedOut = false;
  for (const effect of effects) {
    switch (effect.type) {
      case 'userJoined':
        add(field.user('new', user.channel, locale));
        break;
      case 'userReturned':
        add(field.user('returned', user.channel, locale));
        break;
      case 'userLeft':
        add(field.user('blocked', user.channel, locale));
        break;
      case 'optOut':
        optedOut = true;
        add(field.user('optedOut', user.channel, locale));
        break;
      case 'optIn':
        add(field.user('optedIn', user.channel, locale));
        break;
      case 'questionReached':
        add(field.reached(effect.state));
        break;
      case 'questionAnswered':
        add(field.answered(effect.state));
        break;
      case 'verdictReached': {
        add(field.verdict(effect.verdict));
        const mode = session?.answers[MODE_QUESTION];
        if (mode) add(field.mode(effect.verdict, mode));
        break;
      }
      case 'invitationRead':
        add(field.invitationRead);
        if (!effect.isInvite) add(field.invitationNotInvite);
        break;
      case 'followUpAsked':
        add(field.followUpAsked(verdict));
        break;
      case 'followUpAnswered':
        add(field.followUp(effect.outcome, verdict));
        break;
      default:
        break;
    }
  }
  return { counts, optedOut };
}
