/** The pure parts of broadcasts: who is selected and why not, chunking, what is said. */
import { describe, expect, it } from 'vitest';
import { LINE_LIMITS } from '../src/channels/line/limits.ts';
import { ChunkBuilder, parseChunkName } from '../src/jobs/broadcast/chunks.ts';
import { headline, listTips, textMessages, tipMessages } from '../src/jobs/broadcast/content.ts';
import { audienceFilterSchema, classify, emptyCounts, tally, type AudienceFilter } from '../src/jobs/broadcast/filter.ts';
import { chunkName, decodeChunk, decodeRecord, encodeChunk, encodeNew, progress } from '../src/store/broadcast-record.ts';
import { limiterFor } from '../src/jobs/limiter.ts';
import type { UserRecord } from '../src/store/types.ts';
import { content } from './support/conversation.ts';

const now = new Date('2026-11-26T00:00:00Z');
const inDays = (d: number) => new Date(now.getTime() + d * 86_400_000).toISOString();

function user(patch: Partial<UserRecord> = {}): UserRecord {
  return {
    channel: 'line',
    id: 'U1',
    locale: 'ja',
    timeZone: 'Asia/Tokyo',
    optedOut: false,
    blocked: false,
    unreachable: false,
    updatedAt: now.toISOString(),
    ...patch,
  };
}

describe('classify', () => {
  const cases: [string, Partial<UserRecord>, AudienceFilter, string][] = [
    ['no filter takes everyone', {}, {}, 'include'],
    ['channel outside the list', { channel: 'slack' }, { channels: ['line'] }, 'outside'],
    ['console users never get broadcasts', { channel: 'console' }, {}, 'outside'],
    ['locale in the list', { locale: 'en' }, { locales: ['en'] }, 'include'],
    ['locale outside the list', { locale: 'ja' }, { locales: ['en'] }, 'outside'],
    ['verdict in the list', { verdict: 'offer_meeting' }, { verdicts: ['offer_meeting', 'closing_meeting'] }, 'include'],
    ['verdict outside the list', { verdict: 'recruiter_meeting' }, { verdicts: ['offer_meeting'] }, 'outside'],
    ['no verdict yet is outside a verdict filter', {}, { verdicts: ['offer_meeting'] }, 'outside'],
    ['hasMeeting: an upcoming meeting', { meetingAt: inDays(3) }, { hasMeeting: true }, 'include'],
    ['hasMeeting: a past meeting does not count', { meetingAt: inDays(-1) }, { hasMeeting: true }, 'outside'],
    ['hasMeeting false: nobody with an upcoming meeting', { meetingAt: inDays(3) }, { hasMeeting: false }, 'outside'],
    ['hasMeeting false: no meeting known', {}, { hasMeeting: false }, 'include'],
    ['meetingWithinDays: inside the window', { meetingAt: inDays(2.5) }, { meetingWithinDays: 3 }, 'include'],
    ['meetingWithinDays: beyond the window', { meetingAt: inDays(3.5) }, { meetingWithinDays: 3 }, 'outside'],
    ['meetingWithinDays: no meeting', {}, { meetingWithinDays: 3 }, 'outside'],
    ['opted out, otherwise selected', { optedOut: true }, {}, 'optedOut'],
    ['blocked wins over opted out', { optedOut: true, blocked: true }, {}, 'blocked'],
    ['unreachable', { unreachable: true }, {}, 'unreachable'],
    ['an excluded user outside the filter is just outside', { blocked: true, locale: 'en' }, { locales: ['ja'] }, 'outside'],
  ];
  it.each(cases)('%s', (_name, patch, filter, expected) => {
    expect(classify(user(patch), filter, now)).toBe(expected);
  });

  it('all fields together narrow the audience', () => {
    const filter: AudienceFilter = { channels: ['slack'], locales: ['en'], verdicts: ['closing_meeting'], meetingWithinDays: 7, hasMeeting: true };
    const fits = user({ channel: 'slack', locale: 'en', verdict: 'closing_meeting', meetingAt: inDays(6) });
    expect(classify(fits, filter, now)).toBe('include');
    expect(classify({ ...fits, meetingAt: inDays(8) }, filter, now)).toBe('outside');
  });

  it('refuses unknown fields and empty lists', () => {
    expect(audienceFilterSchema.safeParse({ channels: [] }).success).toBe(false);
    expect(audienceFilterSchema.safeParse({ channels: ['telegram'] }).success).toBe(false);
    expect(audienceFilterSchema.safeParse({ locale: ['ja'] }).success).toBe(false);
    expect(audienceFilterSchema.safeParse({ meetingWithinDays: 0 }).success).toBe(false);
    expect(audienceFilterSchema.safeParse({ channels: ['line'], verdicts: ['offer_meeting'], hasMeeting: false }).success).toBe(true);
  });
});

describe('tally', () => {
  it('counts the included by channel and locale and the excluded by reason', () => {
    const counts = emptyCounts();
    const users = [
      user({ id: 'a' }),
      user({ id: 'b', locale: 'en' }),
      user({ id: 'c', channel: 'slack' }),
      user({ id: 'd', optedOut: true }),
      user({ id: 'e', blocked: true }),
      user({ id: 'f', unreachable: true, optedOut: true }),
      user({ id: 'g', locale: 'en' }),
    ];
    for (const u of users) tally(counts, u, classify(u, { locales: ['ja'] }, now));
    expect(counts).toEqual({
      total: 2,
      byChannel: { line: { ja: 1, en: 0 }, slack: { ja: 1, en: 0 } },
      excluded: { blocked: 1, unreachable: 1, optedOut: 1 },
    });
  });
});

describe('ChunkBuilder', () => {
  it('cuts LINE users into chunks of at most 500 that share a language, and Slack users one by one', () => {
    const builder = new ChunkBuilder({ line: LINE_LIMITS.multicastRecipients, slack: 1 });
    const full = [];
    for (let i = 0; i < 1_203; i++) {
      const chunk = builder.add('line', i % 3 === 0 ? 'en' : 'ja', `U${i}`);
      if (chunk) full.push(chunk);
    }
    for (let i = 0; i < 3; i++) {
      const chunk = builder.add('slack', 'en', `S${i}`);
      if (chunk) full.push(chunk);
    }
    const all = [...full, ...builder.flush()];
    const line = all.filter((c) => c.channel === 'line');
    expect(line.every((c) => c.ids.length <= LINE_LIMITS.multicastRecipients)).toBe(true);
    expect(line.map((c) => `${c.locale}:${c.ids.length}`).sort()).toEqual(['en:401', 'ja:302', 'ja:500'].sort());
    expect(line.map((c) => c.n).sort()).toEqual([0, 1, 2]);
    expect(all.filter((c) => c.channel === 'slack').map((c) => [c.n, c.ids])).toEqual([[0, ['S0']], [1, ['S1']], [2, ['S2']]]);
    expect(new Set(all.flatMap((c) => c.ids)).size).toBe(1_206);
    expect(builder.counts()).toEqual({ line: 3, slack: 3 });
    for (const c of line) expect(c.ids.every((id) => (Number(id.slice(1)) % 3 === 0) === (c.locale === 'en'))).toBe(true);
  });

  it('names and encodes chunks reversibly', () => {
    expect(parseChunkName(chunkName('line', 12))).toEqual({ channel: 'line', n: 12 });
    expect(parseChunkName('fax:1')).toBeUndefined();
    const chunk = { channel: 'slack' as const, n: 4, locale: 'en' as const, ids: ['S1'] };
    expect(decodeChunk('slack', 4, encodeChunk(chunk))).toEqual(chunk);
  });
});

describe('broadcast content', () => {
  it('renders a tip as the same card users see in the chat, in each language', () => {
    const messages = tipMessages(content(), 'reply_speed')!;
    const tips = listTips(content());
    const tip = tips.find((t) => t.id === 'reply_speed')!;
    expect(messages.ja).toMatchObject({ kind: 'card', title: tip.title.ja });
    expect(messages.en).toMatchObject({ kind: 'card', title: tip.title.en });
    expect(messages.en.kind === 'card' && messages.en.sections[0]!.lines.join('\n')).toBe(tip.body.en.trim());
    expect(tipMessages(content(), 'no_such_tip')).toBeUndefined();
    expect(tips).toHaveLength(content().tips.length);
  });

  it('keeps staff text as plain text and labels it by its first line', () => {
    const messages = textMessages({ ja: '  日程の返信は当日中に\n詳しくは…  ', en: 'Reply within a day' });
    expect(messages.ja).toEqual({ kind: 'text', text: '日程の返信は当日中に\n詳しくは…' });
    expect(headline(messages)).toEqual({ ja: '日程の返信は当日中に', en: 'Reply within a day' });
  });
});

describe('broadcast record', () => {
  it('round-trips through the Redis hash encoding and reports progress', () => {
    const fresh = {
      id: 'b1',
      staff: 'aiko',
      createdAt: now.toISOString(),
      sendAt: now.toISOString(),
      messages: textMessages({ ja: 'こんにちは', en: 'Hello' }),
      filter: { channels: ['line' as const] },
      tipId: 'reply_speed',
    };
    const record = decodeRecord({ ...encodeNew(fresh), total: '10', sent: '4', failed: '1', skipped: '1', status: 'sending' })!;
    expect(record).toMatchObject({ ...fresh, status: 'sending', total: 10, sent: 4, failed: 1, skipped: 1 });
    expect(progress(record)).toBeCloseTo(0.6);
    expect(progress({ ...record, status: 'done', total: 0 })).toBe(1);
    expect(decodeRecord({})).toBeUndefined();
  });
});

describe('limiterFor', () => {
  it.each([
    [190, { max: 19, duration: 100 }],
    // 19 per 98 ms would let 11 windows, 209 starts, into one rolling second.
    [194, { max: 16, duration: 84 }],
    [150, { max: 15, duration: 100 }],
    [4, { max: 1, duration: 250 }],
    [12, { max: 1, duration: 84 }],
    [1, { max: 1, duration: 1_000 }],
    [2_000, { max: 200, duration: 100 }],
  ])('%i per second is spread as %j', (rate, limiter) => {
    expect(limiterFor(rate)).toEqual(limiter);
  });

  it('never lets more than asked start in any rolling second, and not much less', () => {
    for (let rate = 1; rate <= 2_000; rate++) {
      const { max, duration } = limiterFor(rate);
      // Window starts are at least `duration` apart: a rolling second holds this many of them.
      expect(Math.ceil(1_000 / duration) * max).toBeLessThanOrEqual(rate);
      expect((max * 1_000) / duration).toBeGreaterThanOrEqual(rate * 0.96);
      expect(duration).toBeLessThanOrEqual(rate < 10 ? 1_000 : 100);
    }
  });
});
