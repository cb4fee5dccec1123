/** One suite, two handoff stores: memory must behave like Redis (real Redis here). */
import { afterAll, describe, expect, it } from 'vitest';
import type { UserRef } from '../src/conversation/types.ts';
import type { HandoffMessage } from '../src/handoff/types.ts';
import type { HandoffStore, NewHandoff } from '../src/store/handoff-store.ts';
import { RedisHandoffs } from '../src/store/handoffs.ts';
import { redisKeys } from '../src/store/keys.ts';
import { MemoryHandoffs } from '../src/store/memory-handoffs.ts';
import { deletePrefix, rawRedis, uniquePrefix } from './support/redis.ts';

const prefix = uniquePrefix('handoffs');
const raw = rawRedis(prefix);
afterAll(async () => {
  await raw.redis.quit();
  await deletePrefix(prefix);
});

let n = 0;
const implementations: [string, () => HandoffStore][] = [
  ['memory', () => new MemoryHandoffs()],
  ['redis', () => new RedisHandoffs(raw.redis, redisKeys(`${prefix}${++n}:`), 3600)],
];

const user = (id: string): UserRef => ({ channel: 'line', id });
const request = (id: string, who: UserRef, createdAt = '2026-11-26T01:00:00.000Z'): NewHandoff => ({
  id,
  user: who,
  displayName: '山田',
  locale: 'ja',
  timeZone: 'Asia/Tokyo',
  createdAt,
  dueAt: '2026-11-27T01:00:00.000Z',
  summary: { answers: [{ question: '志望度', answer: '第一志望' }], recent: [] },
});
const message = (id: string, text: string, extra: Partial<HandoffMessage> = {}): HandoffMessage => ({ id, at: '2026-11-26T01:01:00.000Z', from: 'user', text, ...extra });

describe.each(implementations)('%s handoff store', (_name, make) => {
  it('opens one handoff per user at a time and finds it by id, user and thread', async () => {
    const store = make();
    const u = user('U1');
    const first = await store.open(request('h1', u));
    expect(first.created).toBe(true);
    expect(first.handoff).toMatchObject({ id: 'h1', status: 'open', displayName: '山田', summary: { answers: [{ question: '志望度', answer: '第一志望' }] } });
    const again = await store.open(request('h2', u));
    expect(again).toMatchObject({ created: false, handoff: { id: 'h1' } });
    expect((await store.active(u))?.id).toBe('h1');
    expect(await store.get('h2')).toBeUndefined();

    await store.update('h1', { slackChannel: 'C1', slackTs: '1.0001', dueAt: null });
    const threaded = await store.byThread('C1', '1.0001');
    expect(threaded?.id).toBe('h1');
    expect(threaded?.dueAt).toBeUndefined();
    expect(await store.byThread('C1', '9.9999')).toBeUndefined();
  });

  it('takes (over), ends once, and refuses to take an ended one', async () => {
    const store = make();
    const u = user('U2');
    await store.open(request('h3', u));
    expect(await store.take('h3', 'aiko', '2026-11-26T02:00:00.000Z')).toMatchObject({ ok: true, handoff: { status: 'taken', takenBy: 'aiko' } });
    expect(await store.take('h3', 'aiko', '2026-11-26T02:01:00.000Z')).not.toHaveProperty('previous');
    expect(await store.take('h3', 'ken', '2026-11-26T02:02:00.000Z')).toMatchObject({ ok: true, previous: 'aiko', handoff: { takenBy: 'ken' } });

    const ended = await store.end('h3', 'ken', '2026-11-26T03:00:00.000Z');
    expect(ended).toMatchObject({ changed: true, handoff: { status: 'ended', endedBy: 'ken', takenBy: 'ken' } });
    expect(ended?.handoff.dueAt).toBeUndefined();
    expect(await store.end('h3', 'aiko', '2026-11-26T03:01:00.000Z')).toMatchObject({ changed: false, handoff: { endedBy: 'ken' } });
    expect(await store.take('h3', 'aiko', '2026-11-26T03:02:00.000Z')).toMatchObject({ ok: false });
    expect(await store.active(u)).toBeUndefined();
    // Once ended, asking again opens a new one.
    expect(await store.open(request('h4', u, '2026-11-26T04:00:00.000Z'))).toMatchObject({ created: true, handoff: { id: 'h4' } });
    expect(await store.take('nope', 'aiko', '2026-11-26T03:02:00.000Z')).toBeUndefined();
    expect(await store.end('nope', 'aiko', '2026-11-26T03:02:00.000Z')).toBeUndefined();
  });

  it('keeps messages in order, each id once, with its delivery', async () => {
    const store = make();
    await store.open(request('h5', user('U3')));
    expect((await store.append('h5', message('m1', 'はじめまして'))).created).toBe(true);
    await store.append('h5', message('m2', 'お返事です', { from: 'staff', staff: 'aiko', via: 'slack', delivery: 'pending' }));
    const repeat = await store.append('h5', message('m2', 'different text'));
    expect(repeat).toMatchObject({ created: false, message: { text: 'お返事です' } });
    await store.setDelivery('h5', 'm2', 'blocked', 'user blocked');
    await store.setDelivery('h5', 'missing', 'sent');
    expect(await store.messages('h5')).toEqual([
      message('m1', 'はじめまして'),
      message('m2', 'お返事です', { from: 'staff', staff: 'aiko', via: 'slack', delivery: 'blocked', detail: 'user blocked' }),
    ]);
  });

  it('lists newest first and forgets everything of a user who deleted their data', async () => {
    const store = make();
    const gone = user('U4');
    const stays = user('U5');
    await store.open(request('h6', gone, '2026-11-26T05:00:00.000Z'));
    await store.update('h6', { slackChannel: 'C1', slackTs: '2.0001' });
    await store.append('h6', message('m1', 'x'));
    await store.open(request('h7', stays, '2026-11-26T06:00:00.000Z'));
    const ids = (await store.list(50)).map((h) => h.id);
    expect(ids.indexOf('h7')).toBeLessThan(ids.indexOf('h6'));

    await store.deleteForUser(gone);
    expect(await store.get('h6')).toBeUndefined();
    expect(await store.active(gone)).toBeUndefined();
    expect(await store.messages('h6')).toEqual([]);
    expect(await store.byThread('C1', '2.0001')).toBeUndefined();
    expect((await store.list(50)).map((h) => h.id)).not.toContain('h6');
    expect((await store.active(stays))?.id).toBe('h7');
  });
});

describe('redis handoff store', () => {
  it('keeps every key of a handoff for the retention after its last write', async () => {
    const keys = redisKeys(`${prefix}ttl:`);
    const store = new RedisHandoffs(raw.redis, keys, 1234);
    await store.open(request('t1', user('U9')));
    await store.append('t1', message('m1', 'x'));
    for (const key of [keys.handoff('t1'), keys.handoffMessages('t1'), keys.handoffOrder('t1'), keys.handoffActive(user('U9'))]) {
      const ttl = await raw.redis.ttl(key);
      expect(ttl, key).toBeGreaterThan(1200);
      expect(ttl, key).toBeLessThanOrEqual(1234);
    }
  });
});
