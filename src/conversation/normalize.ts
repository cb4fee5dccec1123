/** How typed text is compared with choices, synonyms and commands. */

/**
 * Answers and commands are short; anything longer is cut here so that no caller can make
 * normalising cost more than this, whatever it is given (a pasted mail is read by
 * src/reading, not compared with keywords).
 */
export const MAX_NORMALIZED_INPUT = 1_000;

const OPENERS = new Set(['「', '『', '"', "'", '(', '（']);
const CLOSERS = new Set(['」', '』', '"', "'", ')', '）', '。', '.', '!', '！', '、', ',']);
// "第一志望です" answers like "第一志望": a polite ending carries no meaning here.
const POLITE_ENDINGS = ['ですね', 'でした', 'です'];

/** Full-width to half-width, case-folded, trimmed, surrounding punctuation and a polite ending dropped. */
export function normalizeText(text: string): string {
  const folded = text.slice(0, MAX_NORMALIZED_INPUT).normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
  // Index walks instead of anchored regexes: `[...]+$` retried at every position of a
  // long run of brackets is quadratic, and this runs on whatever users type.
  let start = 0;
  let end = folded.length;
  while (start < end && OPENERS.has(folded[start]!)) start++;
  while (end > start && CLOSERS.has(folded[end - 1]!)) end--;
  let core = folded.slice(start, end);
  const ending = POLITE_ENDINGS.find((e) => core.endsWith(e));
  if (ending) core = core.slice(0, -ending.length);
  return core.trim();
}
