/**
 * Long texts must not stall the event loop (issue #15, point 2): normalising is linear and
 * capped, and a pasted invitation of 5,000 characters is read in well under 50 ms whatever
 * it contains. Each figure is the best of a few runs, so a busy machine does not fail it.
 */
import { describe, expect, it } from 'vitest';
import { step, type EngineContext } from '../src/conversation/engine.ts';
import { normalizeText } from '../src/conversation/normalize.ts';
import { readInvitation } from '../src/reading/invitation.ts';
import { content } from './support/conversation.ts';

function bestOf(runs: number, fn: () => void): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

const ADVERSARIAL: Record<string, string> = {
  'closing brackets': ')'.repeat(40_000),
  'dates and ranges': '12月3日(水)14:00〜15:00 '.repeat(300),
  digits: '1'.repeat(5_000),
  'slashes and colons': '1/2:'.repeat(1_500),
  'weekdays in brackets': '(水)'.repeat(2_000),
  'role words': 'hr 人事 部長 '.repeat(600),
  'meeting words': '面談'.repeat(3_000),
  'offer hints': 'ぜひ'.repeat(3_000),
  'blank lines': ' \n'.repeat(3_000),
  'deadline words': '来週の水曜 午後1時 までに返信 by dec 3 '.repeat(200),
};

describe('long text', () => {
  it('normalising 40,000 ")" takes a few milliseconds at most', () => {
    const text = `${')'.repeat(40_000)}x`;
    normalizeText(text);
    expect(bestOf(5, () => normalizeText(text))).toBeLessThan(5);
    expect(normalizeText('「第一志望です。」')).toBe('第一志望');
    expect(normalizeText('?')).toBe('?');
  });

  it.each(Object.entries(ADVERSARIAL))('reads 5,000 characters of %s in well under 50 ms', (_name, text) => {
    const opts = { receivedAt: new Date('2026-11-26T10:00:00+09:00'), timeZone: 'Asia/Tokyo', flow: content().flow };
    readInvitation(text, opts);
    expect(bestOf(3, () => readInvitation(text, opts))).toBeLessThan(25);
  });

  it.each(Object.entries(ADVERSARIAL))('a conversation step on 5,000 characters of %s (read as a possible invitation) stays under 25 ms', (_name, text) => {
    const ctx: EngineContext = { content: content(), now: new Date('2026-11-26T01:00:00Z'), maxDaysAhead: 180, defaults: { locale: 'ja', timeZone: 'Asia/Tokyo' } };
    const session = step(ctx, undefined, { kind: 'start' }).session!;
    const input = { kind: 'text' as const, text: text.slice(0, 5_000) };
    step(ctx, session, input);
    expect(bestOf(3, () => step(ctx, session, input))).toBeLessThan(25);
    expect(bestOf(3, () => step(ctx, undefined, input))).toBeLessThan(25);
  });

  it('a conversation step with 40,000 ")" (first message, then as an answer) does not block the loop', () => {
    const ctx: EngineContext = { content: content(), now: new Date('2026-11-26T01:00:00Z'), maxDaysAhead: 180, defaults: { locale: 'ja', timeZone: 'Asia/Tokyo' } };
    const text = ')'.repeat(40_000);
    const first = step(ctx, undefined, { kind: 'text', text });
    expect(first.session).toBeTruthy();
    const session = first.session!;
    expect(bestOf(5, () => step(ctx, undefined, { kind: 'text', text }))).toBeLessThan(10);
    expect(bestOf(5, () => step(ctx, session, { kind: 'text', text }))).toBeLessThan(10);
  });
});
