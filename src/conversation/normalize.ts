/** How typed text is compared with choices, synonyms and commands. */

/** Full-width to half-width, case-folded, trimmed, trailing punctuation dropped. */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[「『"'(（]+|[」』"')）。.!！、,]+$/g, '')
    // "第一志望です" answers like "第一志望": a polite ending carries no meaning here.
    .replace(/(です|でした|ですね)$/, '')
    .trim();
}
