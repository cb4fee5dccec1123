/**
 * Long texts must not stall the event loop (issue #15, point 2): normalising is capped and
 * linear, and reading a pasted invitation or taking a conversation step grows linearly with
 * the text, whatever it contains. The test checks growth (8 times the text must cost far
 * less than the 64 times a quadratic scan would), which a busy machine does not distort;
 * the milliseconds themselves are measured by `npm run bench -- --only long-text`.
 */
import { describe, expect, it } from 'vitest';
import { step, type EngineContext } from '../src/conversation/engine.ts';
import { normalizeText } from '../src/conversation/normalize.ts';
import { readInvitation } from '../src/reading/invitation.ts';
import { ADVERSARIAL_TEXTS } from './support/adversarial-texts.ts';
import { content } from './support/conversation.ts';

/** 8× the input: linear ≈ 8, quadratic ≈ 64. */
const SCALE = 8;
const MAX_GROWTH = 24;

/** Milliseconds per call over enough calls to fill a couple of milliseconds. */
function perCall(fn: () => void): number {
  let calls = 0;
  const start = performance.now();
  do {
    fn();
    calls++;
  } while (performance.now() - start < 2);
  return (performance.now() - start) / calls;
}

/**
 * Time per call on the whole text over time per call on an eighth of it. The two are
 * measured in alternating rounds (best of each), so a burst of other work on the machine
 * weighs on both alike.
 */
function growth(fn: (text: string) => unknown, text: string, size: number): number {
  const small = text.slice(0, size / SCALE);
  const large = text.slice(0, size);
  fn(large);
  fn(small);
  let bestLarge = Infinity;
  let bestSmall = Infinity;
  for (let round = 0; round < 6; round++) {
    bestLarge = Math.min(bestLarge, perCall(() => fn(large)));
    bestSmall = Math.min(bestSmall, perCall(() => fn(small)));
  }
  return bestLarge / bestSmall;
}

const ctx: EngineContext = { content: content(), now: new Date('2026-11-26T01:00:00Z'), maxDaysAhead: 180, defaults: { locale: 'ja', timeZone: 'Asia/Tokyo' } };
const opts = { receivedAt: new Date('2026-11-26T10:00:00+09:00'), timeZone: 'Asia/Tokyo', flow: content().flow };

describe('long text', () => {
  it('normalising grows linearly at most, and 40,000 ")" are normalised as a short text', () => {
    expect(growth(normalizeText, `${')'.repeat(40_000)}x`, 40_000)).toBeLessThan(MAX_GROWTH);
    expect(normalizeText('「第一志望です。」')).toBe('第一志望');
    expect(normalizeText('?')).toBe('?');
  });

  it.each(Object.entries(ADVERSARIAL_TEXTS))('reading 5,000 characters of %s grows linearly', (_name, text) => {
    expect(growth((t) => readInvitation(t, opts), text, 5_000)).toBeLessThan(MAX_GROWTH);
  });

  it.each(Object.entries(ADVERSARIAL_TEXTS))('a conversation step on 5,000 characters of %s grows linearly', (_name, text) => {
    const session = step(ctx, undefined, { kind: 'start' }).session!;
    expect(growth((t) => step(ctx, session, { kind: 'text', text: t }), text, 5_000)).toBeLessThan(MAX_GROWTH);
    expect(growth((t) => step(ctx, undefined, { kind: 'text', text: t }), text, 5_000)).toBeLessThan(MAX_GROWTH);
  });

  it('a conversation step with 40,000 ")" (first message, then as an answer) grows linearly at most', () => {
    const text = ')'.repeat(40_000);
    const first = step(ctx, undefined, { kind: 'text', text });
    expect(first.session).toBeTruthy();
    const session = first.session!;
    expect(growth((t) => step(ctx, undefined, { kind: 'text', text: t }), text, 40_000)).toBeLessThan(MAX_GROWTH);
    expect(growth((t) => step(ctx, session, { kind: 'text', text: t }), text, 40_000)).toBeLessThan(MAX_GROWTH);
  });
});
