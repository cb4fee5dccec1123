/**
 * The conversation engine: a pure function from (session, input) to (new session,
 * messages, side effects). No I/O, no clock of its own: `now` comes in the context, so a
 * retried step after a lost compare-and-set computes the same thing again.
 *
 * `step` only routes an input to the part that handles it: `text.ts` (typed text),
 * `answers.ts` (choices and dates), `commands.ts`, `fired-reminder.ts`, `migration.ts`;
 * `navigation.ts` moves between states and `builtins/` holds the states every flow has.
 */
import { answerDate, choose } from './answers.ts';
import { matchCommand, runCommand } from './commands.ts';
import { parsePickerDateTime } from './dates.ts';
import { fireReminder } from './fired-reminder.ts';
import { startWithText } from './first-message.ts';
import { handoffInput } from './handoff-state.ts';
import { isOutdated, migrate } from './migration.ts';
import { askCurrent, currentChoices, currentQuestion, goTo } from './navigation.ts';
import type { Session } from './session.ts';
import { handleText } from './text.ts';
import { dateOptions, raise, say, setReminders, type EngineContext, type StepResult, type Turn } from './turn.ts';
import type { Inbound, Locale } from './types.ts';

export { MAX_TEXT_LENGTH } from './text.ts';
export type { EngineContext, StepResult } from './turn.ts';

export function newSession(ctx: EngineContext, locale?: Locale): Session {
  const { flow } = ctx.content;
  return {
    flowId: flow.id,
    flowVersion: flow.version,
    state: flow.start,
    answers: {},
    history: [],
    locale: locale ?? ctx.defaults.locale,
    timeZone: ctx.defaults.timeZone,
    optedOut: false,
    updatedAt: ctx.now.toISOString(),
  };
}

export function step(ctx: EngineContext, session: Session | undefined, input: Inbound): StepResult {
  // Someone with no conversation (never started, deleted, expired) is not greeted by a
  // reminder or by leaving: there is nothing to say and nothing to keep.
  if (!session && (input.kind === 'reminder' || input.kind === 'blocked' || input.kind === 'handoff')) {
    return { session: undefined, messages: [], effects: [] };
  }
  const turn: Turn = {
    ctx,
    s: session ? structuredClone(session) : newSession(ctx),
    messages: [],
    effects: [],
    deleted: false,
  };
  if (!session) raise(turn, { type: 'userJoined' });
  else if (input.kind === 'start') raise(turn, { type: 'userReturned' });
  else if (input.kind === 'blocked') raise(turn, { type: 'userLeft' });
  if (input.kind === 'blocked') {
    // Nothing is said to someone who left; only their reminders are cancelled.
    if ((turn.s.reminders ?? []).length > 0) setReminders(turn, []);
  } else if (!session) {
    const command = input.kind === 'text' ? matchCommand(turn, input.text) : undefined;
    // "English" as a first message: greet in the language asked for.
    if (command?.action === 'language') turn.s.locale = command.locale ?? turn.s.locale;
    if (input.kind === 'text' && !command) startWithText(turn, input.text);
    else {
      say(turn, 'system.welcome');
      if (command && command.action !== 'restart' && command.action !== 'language') runCommand(turn, command.action, command.locale);
      else goTo(turn, ctx.content.flow.start);
    }
  } else if (isOutdated(ctx, session)) {
    migrate(turn);
  } else {
    handle(turn, input);
  }
  turn.s.updatedAt = ctx.now.toISOString();
  return { session: turn.deleted ? null : turn.s, messages: turn.messages, effects: turn.effects };
}

function handle(turn: Turn, input: Inbound): void {
  // While an advisor handles the conversation, and for the handoff's own events.
  if (handoffInput(turn, input)) return;
  switch (input.kind) {
    case 'start':
      say(turn, 'system.welcome_back');
      return askCurrent(turn);
    case 'unsupported':
      say(turn, 'system.fallback.unsupported');
      return askCurrent(turn);
    case 'choice': {
      // A button from an older question, or one no longer offered.
      const stale =
        (input.state !== undefined && input.state !== turn.s.state) || !currentChoices(turn).some((c) => c.value === input.value);
      if (stale) {
        say(turn, 'system.stale_button');
        return askCurrent(turn);
      }
      return choose(turn, input.value);
    }
    case 'datetime': {
      const question = currentQuestion(turn);
      if (question?.type !== 'datetime' || (input.state !== undefined && input.state !== turn.s.state)) {
        say(turn, 'system.stale_button');
        return askCurrent(turn);
      }
      return answerDate(turn, parsePickerDateTime(input.iso, dateOptions(turn)));
    }
    case 'text':
      return handleText(turn, input.text);
    case 'reminder':
      return fireReminder(turn, input.reminder);
    case 'blocked':
    case 'handoff':
      return;
  }
}
