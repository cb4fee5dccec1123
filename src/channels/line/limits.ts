/** Limits the Messaging API enforces; exceeding one makes LINE refuse the whole request. */
export const LINE_LIMITS = {
  messagesPerRequest: 5,
  /** User ids in one multicast request. */
  multicastRecipients: 500,
  textLength: 5000,
  altTextLength: 400,
  quickReplyItems: 13,
  actionLabel: 20,
  displayText: 300,
  postbackData: 300,
  /** Bubbles in one Flex carousel. */
  carouselBubbles: 12,
} as const;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Shortens text to at most `max` UTF-16 units (the strictest way LINE may count), never
 * splitting an emoji or a combined character, and marks the cut with an ellipsis.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = '';
  for (const { segment } of graphemes.segment(text)) {
    if (out.length + segment.length > max - 1) break;
    out += segment;
  }
  return `${out}…`;
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
