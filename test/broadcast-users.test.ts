/**
 * The audience reader reads the store's user hashes directly, for speed. Users are written
 * here through the real store, so if redis-store.ts changes how it encodes them, these
 * tests fail instead of broadcasts quietly reaching the wrong people.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { VERDICTS } from '../src/conversation/types.ts';
import { scanAudience } from '../src/jobs/broadcast/audience.ts';
import { countsFromBuckets, meetingWindow } from '../src/jobs/broadcast/audience-counts.ts';
import type { AudienceFilter } from '../src/jobs/broadcast/filter.ts';
import { userShard } from '../src/store/keys.ts';
import { encodeUser } from '../src/store/user-codec.ts';
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
  it('reads what a filter needs exactly as the store wrote it (from the index entry kept with the record)', async () => {
    await store.users.update({ channel: 'line', id: 'U1' }, { locale: 'en', verdict: 'offer_meeting', meetingAt: '2026-12-03T05:00:00.000Z' });
    await store.users.update({ channel: 'line', id: 'U2' }, { optedOut: true });
    await store.users.update({ channel: 'line', id: 'U3' }, { blocked: true, unreachable: true, verdict: 'closing_meeting' });
    await store.users.update({ channel: 'line', id: 'U3' }, { verdict: null });
    await store.users.update({ channel: 'slack', id: 'S1' }, { locale: 'ja' });

    const expected = [];
    for await (const batch of store.users.scan('line')) {
      // Only the first reason a user is left out is read (the one the filter reports).
      for (const u of batch) expected.push({ channel: u.channel, id: u.id, locale: u.locale, blocked: u.blocked, unreachable: !u.blocked && u.unreachable, optedOut: !u.blocked && !u.unreachable && u.optedOut, ...(u.verdict ? { verdict: u.verdict } : {}), ...(u.meetingAt ? { meetingAt: u.meetingAt } : {}) });
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

  it('with the shard counters a freeze read, re-reads the users of every shard where someone was excluded or deleted since', async () => {
    const ids = ['X1', 'X2', 'X3', 'X4', 'X5', 'X6'];
    for (const id of ids) await store.users.update({ channel: 'line', id }, { locale: 'ja' });
    const counters = async () => {
      const shards: Record<string, number> = {};
      for (const id of ids) shards[userShard(id)] = Number((await raw.redis.get(raw.keys.audienceExclusions('line', userShard(id)))) ?? 0);
      return shards;
    };
    const frozen = await counters();
    expect(await reader.stillWanted('line', ids, frozen)).toEqual([true, true, true, true, true, true]);
    // Changes that leave everyone in the audience move no counter.
    await store.users.update({ channel: 'line', id: 'X1' }, { locale: 'en', verdict: 'offer_meeting' });
    expect(await counters()).toEqual(frozen);
    await store.users.update({ channel: 'line', id: 'X2' }, { optedOut: true });
    await store.users.update({ channel: 'line', id: 'X3' }, { blocked: true });
    await store.users.update({ channel: 'line', id: 'X4' }, { unreachable: true });
    await store.deleteUser({ channel: 'line', id: 'X5' });
    expect(await reader.stillWanted('line', ids, frozen)).toEqual([true, false, false, false, false, true]);
    // Read again later, the counters as they are now say nobody changed since.
    expect(await reader.stillWanted('line', ['X1', 'X6'], await counters())).toEqual([true, true]);
  });

  it('skips users whose record is gone although their id is still listed', async () => {
    await store.users.update({ channel: 'slack', id: 'S2' }, {});
    await raw.redis.del(raw.keys.user({ channel: 'slack', id: 'S2' }));
    expect((await all('slack', 10)).map((u) => u.id)).toEqual(['S1']);
  });
});

describe('audience index', () => {
  const now = new Date();
  const day = 86_400_000;
  const filters: AudienceFilter[] = [
    {},
    { channels: ['line'] },
    { locales: ['en'] },
    { verdicts: ['offer_meeting', 'closing_meeting'] },
    { hasMeeting: true },
    { hasMeeting: false },
    { meetingWithinDays: 3 },
    { meetingWithinDays: 3, hasMeeting: false },
    { channels: ['slack'], locales: ['ja'], verdicts: ['recruiter_meeting'], meetingWithinDays: 30, hasMeeting: true },
  ];

  it('gives the same exact counts as walking every user, records from before the index included', async () => {
    const own = uniquePrefix('audience-index');
    const indexed = createRedisStore(own);
    const direct = rawRedis(own);
    try {
      // Every combination the filter distinguishes, changed after creation as users do.
      for (let n = 0; n < 60; n++) {
        const user = { channel: n % 3 === 0 ? ('slack' as const) : ('line' as const), id: `I${n}` };
        await indexed.users.update(user, {
          locale: n % 4 === 0 ? 'en' : 'ja',
          ...(n % 5 ? { verdict: VERDICTS[n % VERDICTS.length]! } : {}),
          ...(n % 2 ? { meetingAt: new Date(now.getTime() + ((n % 9) - 2) * day).toISOString() } : {}),
        });
        if (n % 7 === 0) await indexed.users.update(user, { blocked: true });
        if (n % 11 === 0) await indexed.users.update(user, { unreachable: true, meetingAt: null });
        if (n % 6 === 0) await indexed.users.update(user, { optedOut: true });
        if (n % 13 === 0) await indexed.users.update(user, { blocked: false, verdict: null });
        if (n % 17 === 0) await indexed.deleteUser(user);
      }
      // Records written before the index existed: no index entry, one with a meeting.
      for (const [id, meetingAt] of [['L1', new Date(now.getTime() + day).toISOString()], ['L2', undefined]] as const) {
        await direct.redis.hset(direct.keys.user({ channel: 'line', id }), encodeUser({ channel: 'line', id, locale: 'en', timeZone: 'Asia/Tokyo', optedOut: false, blocked: false, unreachable: false, updatedAt: now.toISOString(), ...(meetingAt ? { meetingAt } : {}) }));
        await direct.redis.sadd(direct.keys.usersOf('line', userShard(id)), id);
      }
      const reader = indexed.audience;
      expect(await reader.index.ready('line')).toBe(false);
      expect(await reader.index.build('line')).toBe(2);
      expect(await reader.index.build('line')).toBe(0);
      await reader.index.build('slack');
      expect(await reader.index.ready('line')).toBe(true);

      for (const filter of filters) {
        const channels = filter.channels ?? (['line', 'slack'] as const);
        const window = meetingWindow(filter, now);
        const buckets = Object.fromEntries(await Promise.all(channels.map(async (c) => [c, await reader.index.audienceBuckets(c, window)] as const)));
        const scratch = indexed.broadcasts.previewScratch();
        const walked = await scanAudience({ users: reader, filter, now, fallbackLocale: 'ja', firstSeen: scratch.firstSeen });
        await scratch.drop();
        expect(countsFromBuckets(buckets, filter, 'ja'), JSON.stringify(filter)).toEqual(walked);
      }
    } finally {
      await indexed.close();
      await direct.redis.quit();
      await deletePrefix(own);
    }
  });
});
