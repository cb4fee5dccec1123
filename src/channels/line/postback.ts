/**
 * What our buttons carry back in a postback: the question they belonged to (`s`, so the
 * core can tell a stale tap) and the chosen value (`v`), or `p` for the date picker. Kept
 * short: LINE allows 300 characters of data.
 */
import { z } from 'zod';

export type PostbackData = { state: string; value: string } | { state: string; picker: true };

const schema = z.union([
  z.object({ s: z.string(), v: z.string() }),
  z.object({ s: z.string(), p: z.literal(1) }),
]);

export function encodeChoice(state: string, value: string): string {
  return JSON.stringify({ s: state, v: value });
}

export function encodePicker(state: string): string {
  return JSON.stringify({ s: state, p: 1 });
}

/** Undefined for data we did not write (an old rich menu, a hand-made request). */
export function decodePostback(data: string): PostbackData | undefined {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) return undefined;
  return 'v' in parsed.data ? { state: parsed.data.s, value: parsed.data.v } : { state: parsed.data.s, picker: true };
}
