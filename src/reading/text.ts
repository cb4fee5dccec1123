/**
 * Preparing a pasted text for reading, in linear time: width and case folded, and the
 * signature block found so that an address or a company line in it is not read as where
 * the meeting takes place.
 */

/** A pasted invitation is read up to this many characters; the rest is ignored. */
export const MAX_INVITATION_LENGTH = 5_000;

export interface Prepared {
  /** NFKC, lower case, full-width tildes and dashes unified. */
  text: string;
  /** Where the signature starts (text.length when none was found). */
  signatureAt: number;
}

const SEPARATOR_CHARS = new Set(['-', '─', '━', '―', '—', '=', '*', '_', '・', '~', '〜']);
const CLOSINGS = ['best regards', 'kind regards', 'warm regards', 'regards,', 'best,', 'thanks,', 'cheers,', 'sincerely', 'thank you,'];

export function prepare(raw: string): Prepared {
  const text = raw
    .slice(0, MAX_INVITATION_LENGTH)
    .normalize('NFKC')
    .slice(0, MAX_INVITATION_LENGTH * 2)
    .toLowerCase()
    .replaceAll('\r\n', '\n')
    .replaceAll('\u2010', '-')
    .replaceAll('\u2013', '-');
  return { text, signatureAt: findSignature(text) };
}

/** The last separator line or English closing in the second half of the text starts the signature. */
function findSignature(text: string): number {
  let at = text.length;
  let lineStart = 0;
  while (lineStart < text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const line = text.slice(lineStart, lineEnd).trim();
    if (lineStart >= text.length / 2 && (isSeparator(line) || CLOSINGS.some((c) => line.startsWith(c)))) at = lineStart;
    lineStart = lineEnd + 1;
  }
  return at;
}

function isSeparator(line: string): boolean {
  if (line.length < 2) return false;
  for (const ch of line) if (!SEPARATOR_CHARS.has(ch)) return false;
  return true;
}

/** Latin letters and digits make a word; anything else (kana, kanji, punctuation) ends one. */
export function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'));
}

/**
 * Where a keyword occurs, by repeated indexOf (linear in the text per keyword), at most
 * `limit` places. Keywords written in Latin letters must stand as whole words ("hr" is
 * not in "three").
 */
export function occurrences(text: string, keyword: string, from = 0, to = text.length, limit = 50): number[] {
  const found: number[] = [];
  const latin = isWordChar(keyword[0]);
  for (let at = text.indexOf(keyword, from); at >= 0 && at < to && found.length < limit; at = text.indexOf(keyword, at + keyword.length)) {
    if (latin && (isWordChar(text[at - 1]) || isWordChar(text[at + keyword.length]))) continue;
    found.push(at);
  }
  return found;
}

export function contains(text: string, keyword: string, from = 0, to = text.length): boolean {
  return occurrences(text, keyword, from, to, 1).length > 0;
}

export function containsAny(text: string, keywords: readonly string[], from = 0, to = text.length): boolean {
  return keywords.some((k) => contains(text, k, from, to));
}
