/** How typed text is compared with choices, synonyms and commands. */

/** Full-width to half-width, case-folded, trimmed, trailing punctuation dropped. */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[「『"'(（]+|[」』"')）。.!！、,]+$/g, '')
    .trim();
}
