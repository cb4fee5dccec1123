/**
 * Typed text, read in order: too long or empty, a command keyword, one of the current
 * choices (number, label, synonym, a built-in's words), a meeting date, a tip keyword;
 * anything else is a polite re-ask.
 */
import { answerDate, choose } from './answers.ts';
import { builtIn } from './builtins/index.ts';
import { matchTipKeyword, showTip } from './builtins/tips.ts';
import { matchCommand, runCommand } from './commands.ts';
import { parseMeetingTime } from './dates.ts';
import { askCurrent, currentChoices, currentQuestion, menuState } from './navigation.ts';
import { normalizeText } from './normalize.ts';
import { dateOptions, say, type Turn } from './turn.ts';
import type { Choice } from './types.ts';

/** Longer messages are not answers to anything we ask; they get a polite re-ask. */
export const MAX_TEXT_LENGTH = 500;

export function handleText(turn: Turn, raw: string): void {
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

  const choice = matchChoice(turn, text);
  if (choice) return choose(turn, choice.value);

  const question = currentQuestion(turn);
  const asksDate = question?.type === 'datetime';
  // At the menu a readable date moves the meeting; elsewhere dates are not expected.
  const parsed = asksDate || turn.s.state === menuState(turn) ? parseMeetingTime(raw, dateOptions(turn)) : undefined;
  if (parsed && (parsed.ok || parsed.reason !== 'invalid')) return answerDate(turn, parsed);

  const tip = matchTipKeyword(turn, text);
  if (tip) {
    showTip(turn, tip);
    return askCurrent(turn);
  }
  if (parsed && asksDate) return answerDate(turn, parsed);
  say(turn, 'system.fallback.choice');
  askCurrent(turn);
}

function matchChoice(turn: Turn, text: string): Choice | undefined {
  const choices = currentChoices(turn);
  const index = /^\d{1,2}$/.test(text) ? Number(text) - 1 : -1;
  if (index >= 0 && index < choices.length) return choices[index];
  const worded = builtIn(turn.s.state)
    ?.choices(turn.ctx.content, turn.s)
    .find((c) => c.words?.includes(text));
  if (worded) return choices.find((c) => c.value === worded.value);
  const question = currentQuestion(turn);
  return choices.find((choice) => {
    if (normalizeText(choice.value) === text || normalizeText(choice.label) === text) return true;
    const flowChoice = question?.choices.find((c) => c.value === choice.value);
    if (!flowChoice) return false;
    const labels = Object.values(turn.ctx.content.catalog).map((cat) => cat.get(flowChoice.label) ?? '');
    return [...labels, ...flowChoice.synonyms].some((word) => word !== '' && normalizeText(word) === text);
  });
}
