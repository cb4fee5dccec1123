/** Commands: typed keywords (and menu entries, settings, flow actions) that act wherever the user is. */
import { isBuiltIn } from './builtins/index.ts';
import type { Action, Flow } from './flow-schema.ts';
import { advisorOffered, requestAdvisor } from './handoff-state.ts';
import { ask, askCurrent, goTo, interrupt, menuState, resume } from './navigation.ts';
import { normalizeText } from './normalize.ts';
import { planReplyReminder } from './reminder-plan.ts';
import { emitResult } from './result.ts';
import { CONFIRM_DELETE_STATE, SETTINGS_STATE, TIPS_STATE } from './session.ts';
import { raise, reminderSettings, say, setReminders, t, when, type Turn } from './turn.ts';
import type { Locale } from './types.ts';

type Command = Flow['commands'][number];

/** Normalised keyword -> the commands it names, in flow order; built once per loaded flow, not per message. */
const byKeyword = new WeakMap<readonly Command[], Map<string, Command[]>>();

function commandsByKeyword(commands: readonly Command[]): Map<string, Command[]> {
  let index = byKeyword.get(commands);
  if (!index) {
    index = new Map();
    for (const command of commands) {
      for (const keyword of new Set(command.keywords.map(normalizeText))) {
        const named = index.get(keyword);
        if (named) named.push(command);
        else index.set(keyword, [command]);
      }
    }
    byKeyword.set(commands, index);
  }
  return index;
}

export function matchCommand(turn: Turn, raw: string): { action: Action; locale?: Locale } | undefined {
  const named = commandsByKeyword(turn.ctx.content.flow.commands).get(normalizeText(raw));
  // Nobody to answer, no advisor: its words are then no command at all.
  return named?.find((c) => c.action !== 'advisor' || advisorOffered(turn));
}

export function runCommand(turn: Turn, action: Action, locale?: Locale): void {
  const { s } = turn;
  switch (action) {
    case 'restart':
      s.answers = {};
      s.history = [];
      delete s.verdict;
      delete s.returnTo;
      say(turn, 'system.restart');
      return goTo(turn, turn.ctx.content.flow.start);
    case 'back':
      return goBack(turn);
    case 'help':
      say(turn, 'system.help');
      return askCurrent(turn);
    case 'language': {
      s.locale = locale ?? (s.locale === 'ja' ? 'en' : 'ja');
      raise(turn, { type: 'localeChanged', locale: s.locale });
      say(turn, 'system.language_changed');
      return askCurrent(turn);
    }
    case 'optOut':
      s.optedOut = true;
      raise(turn, { type: 'optOut' });
      say(turn, 'system.opted_out');
      return askCurrent(turn);
    case 'optIn':
      s.optedOut = false;
      raise(turn, { type: 'optIn' });
      say(turn, 'system.opted_in');
      return askCurrent(turn);
    case 'askDelete':
      return interrupt(turn, CONFIRM_DELETE_STATE);
    case 'showTips':
      return interrupt(turn, TIPS_STATE);
    case 'settings':
      return interrupt(turn, SETTINGS_STATE);
    case 'showReminders':
      sayReminders(turn);
      return askCurrent(turn);
    case 'cancelReminders':
      setReminders(turn, []);
      say(turn, 'system.reminders.cancelled');
      return askCurrent(turn);
    case 'stopAll':
      s.optedOut = true;
      raise(turn, { type: 'optOut' });
      setReminders(turn, []);
      say(turn, 'system.stopped_all');
      return askCurrent(turn);
    case 'menu': {
      const menu = menuState(turn);
      if (!s.verdict || !menu) {
        say(turn, 'system.no_result_yet');
        return askCurrent(turn);
      }
      delete s.returnTo;
      s.state = menu;
      return ask(turn, menu);
    }
    case 'showResult':
      if (!s.verdict) {
        say(turn, 'system.no_result_yet');
        return askCurrent(turn);
      }
      emitResult(turn, { announce: false });
      return askCurrent(turn);
    case 'advisor':
      return requestAdvisor(turn);
    case 'replyPending':
      planReply(turn);
      return askCurrent(turn);
  }
}

/** The user waits for the company's reply: one reminder to nudge them if none comes. */
export function planReply(turn: Turn): void {
  raise(turn, { type: 'replyPending' });
  setReminders(turn, [planReplyReminder(turn.ctx.now, turn.s.timeZone, reminderSettings(turn))]);
}

function goBack(turn: Turn): void {
  const { s } = turn;
  if (isBuiltIn(s.state)) return resume(turn);
  const previous = s.history.at(-1);
  if (previous === undefined) {
    say(turn, 'system.back_at_start');
    return askCurrent(turn);
  }
  s.history = s.history.slice(0, -1);
  delete s.answers[previous];
  delete s.verdict;
  s.state = previous;
  askCurrent(turn);
}

function sayReminders(turn: Turn): void {
  const upcoming = (turn.s.reminders ?? []).filter((r) => new Date(r.at) > turn.ctx.now);
  if (upcoming.length === 0) return say(turn, 'system.reminders.none');
  const lines = upcoming.map((r) =>
    t(turn, 'system.reminders.item', { when: when(turn, r.at), what: t(turn, `reminder.kind.${r.kind}`) }),
  );
  turn.messages.push({
    kind: 'text',
    text: [t(turn, 'system.reminders.header'), ...lines, t(turn, 'system.reminders.how_to_change')].join('\n'),
  });
}

