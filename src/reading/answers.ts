/**
 * Matching an answer typed in one's own words against the choices of the current
 * question: "人事の方から連絡がありました" is HR, "受けてないです" is "none", "I got an offer"
 * is yes. Words are found inside the message (not whole-message equality) after folding
 * width, case, kana and the usual negative endings; a choice word that is negated
 * ("haven't got an offer", "内定は出ていない") does not choose it, and on a yes/no question it
 * chooses "no". Pure, and linear in the (capped) length of the message.
 */
import { normalizeText } from '../conversation/normalize.ts';
import { isWordChar, occurrences } from './text.ts';

export interface ChoiceWords {
  value: string;
  /** Labels in every language, synonyms and the value itself. */
  words: readonly string[];
}

/** Longer messages are not answers; see the engine's own limit. */
const MAX_ANSWER_LENGTH = 200;

// Colloquial negative endings folded to one form, so one synonym ("受けていない") covers all.
const NEGATIVE_FORMS: readonly [string, string][] = [
  ['ていません', 'ていない'],
  ['てません', 'ていない'],
  ['てない', 'ていない'],
  ['ていなかった', 'ていない'],
  ['じゃない', 'ではない'],
  ['じゃありません', 'ではない'],
  ['ではありません', 'ではない'],
  ['ありません', 'ない'],
  ['ません', 'ない'],
  ["n't", ' not'],
];
const JA_NEGATION_AFTER = ['ない', 'なかった', 'ず', 'ぬ'];
/** What may stand between a word and its negation: 第一志望ではない, 内定は出ていない is not caught (another verb). */
const JA_NEGATION_JOINS = ['', 'は', 'では', 'て', 'てい'];
const QUESTION_ENDINGS = ['?', 'ですか', 'ますか', 'でしょうか'];
const EN_NEGATION_BEFORE = ['not', 'no', 'never', 'without'];

/** Width, case, kana (katakana read as hiragana), polite endings and negative forms folded. */
export function foldAnswer(text: string): string {
  let folded = normalizeText(text.slice(0, MAX_ANSWER_LENGTH));
  for (const [from, to] of NEGATIVE_FORMS) folded = folded.replaceAll(from, to);
  return toHiragana(folded).replace(/\s+/g, ' ');
}

function toHiragana(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    // ァ..ヶ map onto ぁ..ゖ; the long-vowel mark and others stay.
    out += code >= 0x30a1 && code <= 0x30f6 ? String.fromCharCode(code - 0x60) : ch;
  }
  return out;
}

/** Is the word found at `at` negated by what follows (Japanese) or precedes (English) it? */
function negated(text: string, at: number, word: string): boolean {
  if (JA_NEGATION_AFTER.some((n) => word.endsWith(n))) return false;
  const after = text.slice(at + word.length, at + word.length + 6);
  if (!isWordChar(word[0]) && JA_NEGATION_JOINS.some((j) => JA_NEGATION_AFTER.some((n) => after.startsWith(j + n)))) return true;
  const before = text.slice(Math.max(0, at - 24), at).split(' ').filter(Boolean).slice(-3);
  return EN_NEGATION_BEFORE.some((n) => before.includes(n));
}

/**
 * The value of the choice the message answers, or undefined when none or several equally
 * do. An exact word wins; otherwise the words found in the message, the longest where
 * they overlap.
 */
export function matchAnswer(text: string, choices: readonly ChoiceWords[]): string | undefined {
  const message = foldAnswer(text);
  if (message === '') return undefined;
  const folded = choices.map((c) => ({ value: c.value, words: [...new Set(c.words.map(foldAnswer).filter((w) => w !== ''))] }));
  const exact = folded.filter((c) => c.words.includes(message));
  if (exact.length === 1) return exact[0]!.value;
  // "面談って内定ってことですか？" asks something; it does not answer.
  if (QUESTION_ENDINGS.some((e) => message.endsWith(e))) return undefined;

  const hasNo = folded.some((c) => c.value === 'no');
  const found: { value: string; at: number; end: number }[] = [];
  for (const choice of folded) {
    for (const word of choice.words) {
      // One letter ("y", "n") or one kana is an answer only when it is the whole message.
      if ([...word].length < 2) continue;
      for (const at of occurrences(message, word)) {
        const value = !negated(message, at, word) ? choice.value : hasNo && choice.value === 'yes' ? 'no' : undefined;
        if (value !== undefined) found.push({ value, at, end: at + word.length });
      }
    }
  }
  // Where words overlap the longest reads the message ("他社の選考状況" over "選考状況",
  // "人事部長" over "部長"); words of two choices side by side ("オンラインか対面") answer neither.
  found.sort((a, b) => b.end - b.at - (a.end - a.at));
  const kept: typeof found = [];
  for (const f of found) if (!kept.some((k) => f.at < k.end && k.at < f.end)) kept.push(f);
  const values = new Set(kept.map((k) => k.value));
  return values.size === 1 ? [...values][0] : undefined;
}
