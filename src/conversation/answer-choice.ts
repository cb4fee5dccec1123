/**
 * A typed message against the current question: a number picks a button, otherwise the
 * words of each choice (labels in every language, synonyms, a few words for the built-in
 * questions) are looked for in the message (src/reading/answers.ts). When nothing answers,
 * one short line says what was expected.
 */
import { matchAnswer, type ChoiceWords } from '../reading/answers.ts';
import { builtIn } from './builtins/index.ts';
import { typedSlot } from './invite-chat.ts';
import { INVITE_CONFIRM_STATE } from './invite-state.ts';
import { choicesFor } from './navigation.ts';
import { normalizeText } from './normalize.ts';
import { CONFIRM_DELETE_STATE } from './session.ts';
import { say, t, type Turn } from './turn.ts';

/** Words that confirm the card of a pasted invitation (the table built-ins carry their own). */
const INVITE_WORDS: Readonly<Record<string, readonly string[]>> = {
  confirm: ['はい', 'yes', 'y', 'ok', '合っている', '合ってる', 'あってる', '正しい', 'そのとおり', 'correct', 'right'],
};
/** Deleting everything is answered only by a whole word, never by one found inside a sentence. */
const EXACT_ONLY = new Set([CONFIRM_DELETE_STATE]);

/** The value of the choice the message answers at the current state, if any. */
export function matchTyped(turn: Turn, raw: string): string | undefined {
  const { s } = turn;
  const { content } = turn.ctx;
  const choices = choicesFor(turn, s.state);
  const text = normalizeText(raw);
  const index = /^\d{1,2}$/.test(text) ? Number(text) - 1 : -1;
  if (index >= 0 && index < choices.length) return choices[index]!.value;
  const slot = typedSlot(turn, raw);
  if (slot) return slot;
  const state = content.flow.states[s.state];
  const flowChoices = state && state.type !== 'result' ? state.choices : [];
  const builtInChoices = builtIn(s.state)?.choices(content, s) ?? [];
  const extra = (value: string) => (s.state === INVITE_CONFIRM_STATE ? INVITE_WORDS[value] : builtInChoices.find((c) => c.value === value)?.words) ?? [];
  const words: ChoiceWords[] = choices.map((choice) => {
    const flowChoice = flowChoices.find((c) => c.value === choice.value);
    const labels = flowChoice ? Object.values(content.catalog).map((cat) => cat.get(flowChoice.label) ?? '') : [];
    return {
      value: choice.value,
      words: [choice.value, choice.label, ...labels, ...(flowChoice?.synonyms ?? []), ...extra(choice.value)],
    };
  });
  if (EXACT_ONLY.has(s.state)) return words.find((c) => c.words.some((w) => normalizeText(w) === text))?.value;
  return matchAnswer(raw, words);
}

/** "「A」「B」「C」のどれかで答えてください（番号でも）": what the question expected, in one line. */
export function sayExpected(turn: Turn): void {
  const choices = choicesFor(turn, turn.s.state);
  const list = choices.map((c) => t(turn, 'reading.expected.item', { label: c.label })).join(t(turn, 'reading.expected.separator'));
  const asksDate = turn.ctx.content.flow.states[turn.s.state]?.type === 'datetime';
  say(turn, asksDate ? 'reading.expected.date' : 'reading.expected.choice', { choices: list });
}
