/** Pushes for reminders and broadcasts through the LINE ChannelSender. */
import { pino } from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { LineApi, parseRetryAfter } from '../src/channels/line/client.ts';
import { retryKeyFor } from '../src/channels/line/retry-key.ts';
import { LineSender } from '../src/channels/line/sender.ts';
import { content } from './support/conversation.ts';
import { LINE_BASE, LINE_DATA_BASE, lineTestbed, uid } from './support/line.ts';

const bed = lineTestbed('line-sender', { harness: false });
let sender: LineSender;
beforeEach(() => {
  const client = new LineApi({ baseUrl: LINE_BASE, dataBaseUrl: LINE_DATA_BASE, accessToken: 't', logger: pino({ level: 'silent' }), sleep: async () => {} });
  sender = new LineSender({ api: client, store: bed.store, catalog: content().catalog, logger: pino({ level: 'silent' }), defaults: { locale: 'ja', timeZone: 'Asia/Tokyo' } });
});

const user = (name: string) => ({ channel: 'line' as const, id: uid(name) });

describe('LineSender.push', () => {
  it('pushes rendered messages with a retry key derived from the caller key', async () => {
    const u = user('push');
    const result = await sender.push(u, [{ kind: 'text', text: '明日は面談です' }], { retryKey: 'reminder:job-42' });
    expect(result).toEqual({ ok: true });
    expect(bed.api.pushes()).toHaveLength(1);
    expect(bed.api.pushes()[0]!.body).toEqual({ to: u.id, messages: [{ type: 'text', text: '明日は面談です' }] });
    expect(bed.api.pushes()[0]!.retryKey).toBe(retryKeyFor('push:reminder:job-42', 0));
    // The same job again sends the same key: LINE answers 409 and sends nothing twice.
    await sender.push(u, [{ kind: 'text', text: '明日は面談です' }], { retryKey: 'reminder:job-42' });
    expect(bed.api.pushes()[1]!.retryKey).toBe(bed.api.pushes()[0]!.retryKey);
  });

  it('refuses blocked users without calling LINE', async () => {
    const u = user('blocked');
    await bed.store.users.update(u, { blocked: true });
    expect(await sender.push(u, [{ kind: 'text', text: 'x' }], { retryKey: 'k' })).toEqual({ ok: false, reason: 'blocked' });
    expect(bed.api.calls).toEqual([]);
  });

  it('marks a user LINE cannot deliver to as unreachable', async () => {
    const u = user('gone');
    bed.api.state.respond = (call) => (call.path === 'push' ? [400, { message: 'Failed to send messages' }] : undefined);
    const result = await sender.push(u, [{ kind: 'text', text: 'x' }], { retryKey: 'k' });
    expect(result).toMatchObject({ ok: false, reason: 'unreachable' });
    expect((await bed.store.users.get(u))?.unreachable).toBe(true);
  });

  it('reports failed after retries run out', async () => {
    bed.api.state.respond = (call) => (call.path === 'push' ? [500, { message: 'down' }] : undefined);
    const result = await sender.push(user('down'), [{ kind: 'text', text: 'x' }], { retryKey: 'k' });
    expect(result).toMatchObject({ ok: false, reason: 'failed' });
    expect(bed.api.pushes()).toHaveLength(5);
    expect(new Set(bed.api.pushes().map((p) => p.retryKey)).size).toBe(1);
  });

  it('waits out a 429 on a multicast and sends it with the same retry key', async () => {
    let limited = 1;
    bed.api.state.respond = (call) => (call.path === 'multicast' && limited-- > 0 ? [429, { message: 'Too many requests' }] : undefined);
    const ids = [uid('m1'), uid('m2')];
    const result = await sender.multicast(ids, [{ kind: 'text', text: '明日は面談です' }], { retryKey: 'batch-1#0', locale: 'ja', timeZone: 'Asia/Tokyo' });
    expect(result).toEqual({ ok: true });
    const multicasts = bed.api.multicasts();
    expect(multicasts).toHaveLength(2);
    expect(multicasts[1]!.body).toEqual({ to: ids, messages: [{ type: 'text', text: '明日は面談です' }] });
    expect(multicasts[1]!.retryKey).toBe(multicasts[0]!.retryKey);
  });

  it("renders in the user's own language", async () => {
    const u = user('en');
    await bed.store.users.update(u, { locale: 'en' });
    await sender.push(u, [{ kind: 'dateInput', text: 'When?', choices: [], state: 'meeting_date', min: '2026-11-26T01:00:00Z', max: '2026-12-26T01:00:00Z' }], { retryKey: 'k' });
    expect(bed.api.pushes()[0]!.body.messages[0].quickReply.items[0].action.label).toBe('Pick date & time');
  });
});

describe('Retry-After', () => {
  it('reads seconds and HTTP dates', () => {
    const now = new Date('2026-11-26T01:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Thu, 26 Nov 2026 01:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
