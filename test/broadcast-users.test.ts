/**
 * The audience reader reads the store's user hashes directly, for speed. Users are written
 * here through the real store, so if redis-store.ts changes how it encodes them, these
 * tests fail instead of broadcasts quietly reaching the wrong people.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisStore, deletePrefix, rawRedis, uniquePrefix } from './support/redis.ts';

const prefix = uniquePrefix('audience-reader');
const store = createRedisStore(prefix);
const reader = store.audience;
const raw = rawRedis(prefix);
afterAll(async () => {
  await store.close();
  await raw.redis.quit();
  await deletePrefix(prefix);
});

async function all(channel: 'line' | 'slack', batchSize?: number) {
  const out = [];
  for await (const batch of reader.scan(channel, batchSize)) out.push(...batch);
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

describe('AudienceReader', () => {
  it('reads the fields a filter needs exactly as the store wrote them', async () => {
    await store.users.update({ channel: 'line', id: 'U1' }, { locale: 'en', verdict: 'offer_meeting', meetingAt: '2026-12-03T05:00:00.000Z' });
    await store.users.update({ channel: 'line', id: 'U2' }, { optedOut: true });
    await store.users.update({ channel: 'line', id: 'U3' }, { blocked: true, unreachable: true, verdict: 'closing_meeting' });
    await store.users.update({ channel: 'line', id: 'U3' }, { verdict: null });
    await store.users.update({ channel: 'slack', id: 'S1' }, { locale: 'ja' });

    const expected = [];
    for await (const batch of store.users.scan('line')) {
      for (const u of batch) expected.push({ channel: u.channel, id: u.id, locale: u.locale, optedOut: u.optedOut, blocked: u.blocked, unreachable: u.unreachable, ...(u.verdict ? { verdict: u.verdict } : {}), ...(u.meetingAt ? { meetingAt: u.meetingAt } : {}) });
    }
    expect(await all('line')).toEqual(expected.sort((a, b) => a.id.localeCompare(b.id)));
    expect((await all('line')).find((u) => u.id === 'U1')).toEqual({ channel: 'line', id: 'U1', locale: 'en', optedOut: false, blocked: false, unreachable: false, verdict: 'offer_meeting', meetingAt: '2026-12-03T05:00:00.000Z' });
    expect((await all('slack')).map((u) => u.id)).toEqual(['S1']);
  });

  it('says who may still be sent to: not opted out, blocked, unreachable or deleted', async () => {
    await store.users.update({ channel: 'line', id: 'W1' }, {});
    await store.users.update({ channel: 'line', id: 'W2' }, { optedOut: true });
    await store.users.update({ channel: 'line', id: 'W3' }, { blocked: true });
    await store.users.update({ channel: 'line', id: 'W4' }, { unreachable: true });
    await store.users.update({ channel: 'line', id: 'W5' }, { optedOut: true });
    await store.users.update({ channel: 'line', id: 'W5' }, { optedOut: false });
    await store.users.update({ channel: 'line', id: 'W6' }, {});
    await store.deleteUser({ channel: 'line', id: 'W6' });
    expect(await reader.stillWanted('line', ['W1', 'W2', 'W3', 'W4', 'W5', 'W6', 'never-seen'])).toEqual([true, false, false, false, true, false, false]);
  });

  it('skips users whose record is gone although their id is still listed', async () => {
    await store.users.update({ channel: 'slack', id: 'S2' }, {});
    await raw.redis.del(raw.keys.user({ channel: 'slack', id: 'S2' }));
    expect((await all('slack', 10)).map((u) => u.id)).toEqual(['S1']);
  });
});
