/** Neutral messages -> LINE messages, and LINE events -> neutral input (pure, no server). */
import { describe, expect, it } from 'vitest';
import { parseEvents } from '../src/channels/line/events.ts';
import { truncate } from '../src/channels/line/limits.ts';
import { decodePostback, encodeChoice } from '../src/channels/line/postback.ts';
import { packForReply, pickerRange, renderMessages, type LineMessage } from '../src/channels/line/render.ts';
import { uuidFromName } from '../src/channels/line/retry-key.ts';
import { signLineBody, verifyLineSignature } from '../src/channels/line/signature.ts';
import { toTask } from '../src/channels/line/to-inbound.ts';
import type { Outbound } from '../src/conversation/types.ts';
import { content } from './support/conversation.ts';
import { ev } from './support/line.ts';

const ctx = () => ({ catalog: content().catalog, locale: 'ja' as const, timeZone: 'Asia/Tokyo' });
const render = (m: Outbound) => renderMessages([m], ctx())[0] as any; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('signature', () => {
  const body = Buffer.from('{"events":[]}');
  it('accepts the HMAC-SHA256 of the raw body in base64 and nothing else', () => {
    expect(verifyLineSignature(body, 's3cret', signLineBody(body, 's3cret'))).toBe(true);
    expect(verifyLineSignature(body, 's3cret', signLineBody(body, 'other'))).toBe(false);
    expect(verifyLineSignature(Buffer.from('{"events": []}'), 's3cret', signLineBody(body, 's3cret'))).toBe(false);
    expect(verifyLineSignature(body, 's3cret', undefined)).toBe(false);
    expect(verifyLineSignature(body, 's3cret', '')).toBe(false);
    expect(verifyLineSignature(body, 's3cret', ['a', 'b'])).toBe(false);
    expect(verifyLineSignature(body, 's3cret', 'short')).toBe(false);
  });
});

describe('rendering', () => {
  it('turns choices into quick reply postbacks that show the label as the user message', () => {
    const message = render({ kind: 'choices', text: 'どなたですか？', state: 'contact_from', choices: [{ value: 'hr', label: '人事・採用担当' }] });
    expect(message).toEqual({
      type: 'text',
      text: 'どなたですか？',
      quickReply: {
        items: [
          {
            type: 'action',
            action: { type: 'postback', label: '人事・採用担当', data: '{"s":"contact_from","v":"hr"}', displayText: '人事・採用担当' },
          },
        ],
      },
    });
  });

  it('sends a question without choices as plain text (LINE refuses an empty quick reply)', () => {
    expect(render({ kind: 'choices', text: 'Q', state: 's', choices: [] })).toEqual({ type: 'text', text: 'Q' });
  });

  it('uses a Flex list when there are more than 13 choices or a label longer than 20 characters', () => {
    const many = Array.from({ length: 14 }, (_, i) => ({ value: `v${i}`, label: `選択肢${i}` }));
    const list = render({ kind: 'choices', text: 'テーマ', state: '@tips', choices: many });
    expect(list.type).toBe('flex');
    expect(list.contents.type).toBe('carousel');
    expect(list.contents.contents).toHaveLength(2);
    expect(list.altText.split('\n')).toEqual(['テーマ', ...many.map((c, i) => `${i + 1}. ${c.label}`)]);

    const long = render({ kind: 'choices', text: 'Q', state: 's', choices: [{ value: 'a', label: 'A label much longer than twenty' }] });
    expect(long.type).toBe('flex');
    const row = long.contents.body.contents.find((c: { action?: unknown }) => c.action);
    expect(row.contents[0].text).toBe('A label much longer than twenty');
    expect(row.action.label.length).toBeLessThanOrEqual(20);
    expect(row.action.displayText).toBe('A label much longer than twenty');
  });

  it('offers a date-time picker in the user zone, rounded to whole minutes inside the allowed range', () => {
    const message = render({
      kind: 'dateInput',
      text: '日時は？',
      state: 'meeting_date',
      min: '2026-11-26T01:07:30.000Z',
      max: '2027-05-25T01:07:30.000Z',
      choices: [{ value: 'not_yet', label: 'まだ決まっていない' }],
    });
    const [picker, other] = message.quickReply.items.map((i: { action: unknown }) => i.action);
    expect(picker).toEqual({
      type: 'datetimepicker',
      label: '日時を選ぶ',
      data: '{"s":"meeting_date","p":1}',
      mode: 'datetime',
      min: '2026-11-26T10:08',
      initial: '2026-11-26T11:00',
      max: '2027-05-25T10:07',
    });
    expect(other.data).toBe('{"s":"meeting_date","v":"not_yet"}');
    expect(pickerRange('2026-11-26T01:00:00Z', '2026-11-26T01:30:00Z', 'Asia/Tokyo').initial).toBe('2026-11-26T10:00');
    expect(pickerRange('2026-11-26T01:10:00Z', '2026-11-26T01:30:00Z', 'Asia/Tokyo').initial).toBe('2026-11-26T10:10');
  });

  it('renders a card as a Flex bubble with a plain altText of at most 400 characters', () => {
    const card = render({
      kind: 'card',
      title: 'タイトル',
      summary: '',
      sections: [{ heading: '', lines: ['一行目'] }],
      altText: 'あ'.repeat(1000),
    });
    expect(card.type).toBe('flex');
    expect(card.altText.length).toBe(400);
    expect(card.altText.endsWith('…')).toBe(true);
    expect(card.contents.header.contents[0].text).toBe('タイトル');
    // Flex refuses empty text components: the empty summary and heading are left out.
    expect(JSON.stringify(card.contents)).not.toContain('"text":""');
    expect(card.contents.body.contents.map((c: { text: string }) => c.text)).toEqual(['・一行目']);
  });

  it('truncates without splitting an emoji', () => {
    expect(truncate('ab👍cd', 4)).toBe('ab…');
    expect(truncate('abc', 3)).toBe('abc');
    expect(truncate('👨‍👩‍👧 family', 9)).toBe('👨‍👩‍👧…');
  });

  it('merges plain texts so an answer fits one reply when it can', () => {
    const text = (t: string): LineMessage => ({ type: 'text', text: t });
    const question: LineMessage = { type: 'text', text: 'q', quickReply: { items: [] } };
    const packed = packForReply([text('1'), text('2'), text('3'), text('4'), text('5'), question]);
    expect(packed).toEqual([text('1\n\n2'), text('3'), text('4'), text('5'), question]);
    const few = [text('1'), question];
    expect(packForReply(few)).toEqual(few);
  });
});

describe('events to input', () => {
  const one = (event: unknown) => {
    const { events, skipped } = parseEvents([event]);
    expect(skipped).toEqual([]);
    return toTask(events[0]!);
  };
  const user = { channel: 'line', id: 'U1' };

  it('maps texts, taps, picker values and unreadable messages', () => {
    expect(one(ev.text('U1', 'こんにちは', { replyToken: 'r' }))).toMatchObject({ kind: 'converse', user, input: { kind: 'text', text: 'こんにちは' }, replyToken: 'r' });
    expect(one(ev.choice('U1', 'purpose', 'intent'))).toMatchObject({ input: { kind: 'choice', value: 'intent', state: 'purpose' } });
    expect(one(ev.postback('U1', '{"s":"meeting_date","p":1}', { datetime: '2026-12-03T14:00' }))).toMatchObject({
      input: { kind: 'datetime', iso: '2026-12-03T14:00', state: 'meeting_date' },
    });
    for (const type of ['sticker', 'image', 'video', 'audio', 'location', 'file']) {
      expect(one(ev.message('U1', type))).toMatchObject({ input: { kind: 'unsupported', what: type } });
    }
    expect(one(ev.postback('U1', 'legacy=1'))).toMatchObject({ input: { kind: 'choice', value: 'legacy=1' } });
  });

  it('maps follow, unfollow, groups and standby mode', () => {
    expect(one(ev.follow('U1'))).toMatchObject({ kind: 'converse', follow: true, input: { kind: 'start' } });
    expect(one(ev.unfollow('U1'))).toEqual({ kind: 'unfollow', eventId: expect.any(String), user });
    expect(one(ev.text('U1', 'hi', { source: { type: 'room', roomId: 'R1' }, replyToken: 'r' }))).toMatchObject({ kind: 'groupNotice', chatId: 'R1' });
    expect(one({ ...ev.text('U1', 'hi'), mode: 'standby' })).toMatchObject({ kind: 'ignore' });
  });

  it('skips events it cannot read instead of failing the webhook', () => {
    const { events, skipped } = parseEvents([{ type: 'memberJoined' }, { type: 'message', webhookEventId: 'x' }, ev.text('U1', 'ok')]);
    expect(events).toHaveLength(1);
    expect(skipped.map((s) => s.type)).toEqual(['memberJoined', 'message']);
  });

  it('reads back only postback data it wrote', () => {
    expect(decodePostback(encodeChoice('s', 'v'))).toEqual({ state: 's', value: 'v' });
    expect(decodePostback('{"s":1}')).toBeUndefined();
    expect(decodePostback('not json')).toBeUndefined();
  });
});

describe('retry keys', () => {
  it('are stable version-5 UUIDs', () => {
    expect(uuidFromName('a')).toBe(uuidFromName('a'));
    expect(uuidFromName('a')).not.toBe(uuidFromName('b'));
    expect(uuidFromName('a')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
