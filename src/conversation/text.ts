/**
 * Typed text, read in order: too long or empty, a command keyword, one of the current
 * choices (number, label, synonym, a built-in's words), a meeting date, a tip keyword;
 * anything else is a polite re-ask.
 */
import { matchTyped, sayExpected } from './answer-choice.ts';
import { answerDate, choose } from './answers.ts';
import { matchTipKeyword, showTip } from './builtins/tips.ts';
import { matchCommand, runCommand } from './commands.ts';
import { parseMeetingTime } from './dates.ts';
import { acknowledge, isFresh } from './first-message.ts';
import { rememberUnanswered } from './handoff-state.ts';
import { offerInvitation, readPasted } from './invite-chat.ts';
import { askCurrent, currentQuestion, menuState } from './navigation.ts';
import { normalizeText } from './normalize.ts';
import { dateOptions, say, type Turn } from './turn.ts';

/** Longer messages are not answers to anything we ask (a pasted invitation is read before this limit). */
export const MAX_TEXT_LENGTH = 500;
/** Shorter texts are answers, never a pasted invitation worth a card. */
const MIN_PASTED_LENGTH = 30;

export function handleText(turn: Turn, raw: string): void {
  // A pasted invitation (up to 5,000 characters) is read first: its words would otherwise
  // be taken for an answer or a tip keyword.
  const pasted = raw.length > MIN_PASTED_LENGTH ? readPasted(turn, raw) : undefined;
  if (pasted?.kind === 'invitation') return offerInvitation(turn, pasted.invitation);
  if (pasted?.kind === 'notice') {
    say(turn, 'reading.invite.notice');
    return askCurrent(turn);
  }
  if (raw.length > MAX_TEXT_LENGTH) {
    say(turn, 'system.fallback.too_long');
    return askCurrent(turn);
  }
  const text = normalizeText(raw);
  if (text === '') {
    say(turn, 'system.fallback.empty');
    return askCurrent(turn);
  }
  const command = matchCommand(turn, raw);
  if (command) return runCommand(turn, command.action, command.locale);

  // The current question first: a message that answers it is never taken for a tip keyword.
  const choice = matchTyped(turn, raw);
  if (choice) return choose(turn, choice);

  const question = currentQuestion(turn);
  const asksDate = question?.type === 'datetime';
  // At the menu a readable date moves the meeting; elsewhere dates are not expected.
  const parsed = asksDate || turn.s.state === menuState(turn) ? parseMeetingTime(raw, dateOptions(turn)) : undefined;
  if (parsed && (parsed.ok || parsed.reason !== 'invalid')) return answerDate(turn, parsed);

  if (isFresh(turn)) {
    // The first words of a conversation ("面談の連絡が来ました") are acknowledged, not refused.
    acknowledge(turn, raw);
    return askCurrent(turn);
  }
  const tip = matchTipKeyword(turn, text);
  if (tip) {
    if (question && turn.s.state !== menuState(turn)) say(turn, 'reading.tip_instead');
    showTip(turn, tip);
    return askCurrent(turn);
  }
  rememberUnanswered(turn, raw);
  sayExpected(turn);
  askCurrent(turn);
}
