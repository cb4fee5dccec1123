/**
 * The conversation while an advisor handles it. The session's `handoff` marks it: the bot
 * then answers nothing itself and passes the user's messages on (effects), except what must
 * always work (delete my data, stop all, help) and the way back ("ボットに戻る"). Pure.
 */
import { requestNotice } from '../handoff/notice.ts';
import { matchCommand, runCommand } from './commands.ts';
import type { Action } from './flow-schema.ts';
import { askCurrent } from './navigation.ts';
import { normalizeText } from './normalize.ts';
import { CONFIRM_DELETE_STATE, FOLLOWUP_STATE } from './session.ts';
import { raise, say, t, type Turn } from './turn.ts';
import type { Choice, Inbound } from './types.ts';

/** The state the handoff's own buttons (keep waiting, back to the bot) carry. */
export const HANDOFF_STATE = '@handoff';
const WAIT = 'wait';
const BACK = 'back';
/** Commands that still work while an advisor handles the conversation. */
const ALWAYS: readonly Action[] = ['askDelete', 'stopAll', 'help'];
/** Built-in questions the bot may still be asking (a reminder's follow-up, the delete confirmation). */
const STILL_ANSWERED = new Set([CONFIRM_DELETE_STATE, FOLLOWUP_STATE]);
/** How many texts the bot could not answer are kept for the advisor, and how much of each. */
const RECENT_KEPT = 3;
const RECENT_MAX_LENGTH = 200;

/** The advisor choice and its command exist only when someone can answer. */
export function advisorOffered(turn: Turn): boolean {
  return turn.ctx.advisor !== undefined;
}

/** The user asked for an advisor (menu, rich menu, App Home, or typed). */
export function requestAdvisor(turn: Turn): void {
  const { s } = turn;
  const advisor = turn.ctx.advisor;
  if (!advisor) return askCurrent(turn);
  s.handoff = { since: turn.ctx.now.toISOString() };
  raise(turn, { type: 'advisorRequested', recent: s.recent ?? [] });
  // What they typed before asking goes to the advisor with the request, and no further.
  delete s.recent;
  const notice = requestNotice(advisor, turn.ctx.now, s, t(turn, 'handoff.user.day_range'));
  say(turn, notice.key, notice.vars);
}

/** Keeps the last texts the bot could not answer for the advisor's summary; only where an advisor can be asked. */
export function rememberUnanswered(turn: Turn, raw: string): void {
  const text = raw.trim().slice(0, RECENT_MAX_LENGTH);
  if (text && advisorOffered(turn)) turn.s.recent = [...(turn.s.recent ?? []), text].slice(-RECENT_KEPT);
}

/** While an advisor handles the conversation the bot asks nothing of its own. */
export function inHandoff(turn: Turn): boolean {
  return turn.s.handoff !== undefined;
}

/**
 * One input, when a handoff is on or the input is about one. Returns false when the engine
 * should handle it as usual (a command that always works, the answer to a built-in question
 * still open, a reminder).
 */
export function handoffInput(turn: Turn, input: Inbound): boolean {
  const { s } = turn;
  if (input.kind === 'handoff') {
    if (input.event === 'ended') endHandoff(turn, 'handoff.user.ended_by_staff', false);
    else askOverdue(turn);
    return true;
  }
  if (!s.handoff) return false;
  switch (input.kind) {
    case 'text': {
      if (STILL_ANSWERED.has(s.state)) return false;
      const text = normalizeText(input.text);
      const back = Object.values(turn.ctx.content.catalog).map((catalog) => normalizeText(catalog.get('handoff.user.back') ?? ''));
      if (back.includes(text)) {
        endHandoff(turn, 'handoff.user.ended_by_user', true);
        return true;
      }
      const command = matchCommand(turn, input.text);
      if (command?.action === 'help') {
        say(turn, 'system.help');
        say(turn, 'handoff.user.hint');
      } else if (command && ALWAYS.includes(command.action)) runCommand(turn, command.action, command.locale);
      else raise(turn, { type: 'handoffMessage', text: input.text });
      return true;
    }
    case 'choice':
      if (input.state === HANDOFF_STATE && input.value === BACK) endHandoff(turn, 'handoff.user.ended_by_user', true);
      else if (input.state === HANDOFF_STATE && input.value === WAIT) {
        raise(turn, { type: 'handoffWait' });
        say(turn, 'handoff.user.waiting');
      } else if (input.state === s.state && STILL_ANSWERED.has(s.state)) return false;
      else say(turn, 'handoff.user.hint');
      return true;
    case 'datetime':
    case 'unsupported':
    case 'start':
      say(turn, 'handoff.user.hint');
      return true;
    case 'reminder':
    case 'blocked':
      return false;
  }
}

function askOverdue(turn: Turn): void {
  if (!turn.s.handoff) return;
  const choices: Choice[] = [
    { value: WAIT, label: t(turn, 'handoff.user.wait') },
    { value: BACK, label: t(turn, 'handoff.user.back') },
  ];
  turn.messages.push({ kind: 'choices', text: t(turn, 'handoff.user.overdue', { replyHours: turn.ctx.advisor?.replyHours ?? '' }), choices, state: HANDOFF_STATE });
}

function endHandoff(turn: Turn, key: string, byUser: boolean): void {
  if (!turn.s.handoff) return;
  delete turn.s.handoff;
  if (byUser) raise(turn, { type: 'handoffEnded' });
  say(turn, key);
  askCurrent(turn);
}
