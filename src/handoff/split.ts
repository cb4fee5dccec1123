/**
 * A staff reply cut into messages each platform accepts whole. Never truncated: a reply
 * that needs more messages than one delivery allows is refused, and the staff are told.
 */

export interface MessageLimit {
  /** The most one message may hold, as `measure` counts it. */
  maxLength: number;
  /** The most messages one reply may become (LINE: one push request of five). */
  maxParts: number;
  /** How the platform counts (Slack counts the escaped text); additive over pieces of text. */
  measure: (text: string) => number;
}

export type SplitResult = { ok: true; parts: string[] } | { ok: false; length: number; maxLength: number; maxParts: number };

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Where a cut reads best, most preferred first: a blank line, a line end, a sentence end, a space. */
const BREAKS = [/\n\s*\n/g, /\n/g, /[。．！？!?](?=\s|$)|[。！？]/g, /\s/g];

export function splitMessage(text: string, limit: MessageLimit): SplitResult {
  const parts: string[] = [];
  let rest = text.trim();
  while (rest.length > 0) {
    if (limit.measure(rest) <= limit.maxLength) {
      parts.push(rest);
      break;
    }
    const cut = cutPoint(rest, limit);
    parts.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
    if (parts.length >= limit.maxParts && rest.length > 0) {
      return { ok: false, length: limit.measure(text), maxLength: limit.maxLength, maxParts: limit.maxParts };
    }
  }
  return { ok: true, parts };
}

/** The longest prefix that fits, ended at the best break inside its second half. */
function cutPoint(text: string, limit: MessageLimit): number {
  const fits = longestFittingPrefix(text, limit);
  const window = text.slice(0, fits);
  for (const pattern of BREAKS) {
    let best = -1;
    for (const match of window.matchAll(pattern)) best = match.index + match[0].length;
    if (best > fits / 2) return best;
  }
  return fits;
}

/** Grapheme by grapheme, so an emoji or a combined character is never split. */
function longestFittingPrefix(text: string, limit: MessageLimit): number {
  let end = 0;
  let size = 0;
  for (const { segment, index } of graphemes.segment(text)) {
    size += limit.measure(segment);
    if (size > limit.maxLength) break;
    end = index + segment.length;
  }
  return Math.max(end, 1);
}
