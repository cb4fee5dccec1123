/** One suite, two stores: the in-memory store must behave like the Redis one. */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { Session } from '../src/conversation/session.ts';
import type { UserRef } from '../src/conversation/types.ts';
import { redisKeys } from '../src/store/keys.ts';
import { MemoryStore } from '../src/store/memory-store.ts';
import type { Store } from '../src/store/types.ts';
import { createRedisStore, deletePrefix, rawRedis, uniquePrefix } from './support/redis.ts';

const prefix = uniquePrefix('conformance');
const clock = { now: new Date('2026-11-26T00:00:00Z') };
const read = () => clock.now;

/** What each Redis store wrote can be read back under its prefix. */
const prefixes = new WeakMap<Store, string>();
const raw = rawRedis(prefix);

const implementations: [string, () => Store][] = [
  ['memory', () => new MemoryStore({ sessionTtlSeconds: 60, clock: read })],
  [
    'redis',
    () => {
      const own = `${prefix}${Math.random().toString(36).slice(2, 8)}:`;
      const store = createRedisStore(own, { sessionTtlSeconds: 60, clock: read });
      prefixes.set(store, own);
      return store;
    },
  ],
];

const stores: Store[] = [];
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await raw.redis.quit();
  await deletePrefix(prefix);
});

function session(state: string, answers: Record<string, string> = {}): Session {
  return {
    flowId: 'diagnosis',
    flowVersion: 1,
    state,
    answers,
    history: [],
    locale: 'ja',
    timeZone: 'Asia/Tokyo',
    optedOut: false,
    updatedAt: clock.now.toISOString(),
  };
}

describe.each(implementations)('%s store', (_name, make) => {
  let store: Store;
  const alice: UserRef = { channel: 'line', id: 'U-alice' };
  const bob: UserRef = { channel: 'slack', id: 'U-bob' };

  beforeEach(() => {
    store = make();
    stores.push(store);
  });

  it('has no session for a new user', async () => {
    expect(await store.sessions.get(alice)).toBeUndefined();
  });

  it('creates with expected version 0 and bumps the version on each write', async () => {
    expect(await store.sessions.compareAndSet(alice, 0, session('a'))).toBe(true);
    expect(await store.sessions.get(alice)).toEqual({ version: 1, value: session('a') });
    expect(await store.sessions.compareAndSet(alice, 1, session('b', { q: 'x' }))).toBe(true);
    expect(await store.sessions.get(alice)).toEqual({ version: 2, value: session('b', { q: 'x' }) });
  });

  it('refuses a write based on a stale version and keeps the newer one', async () => {
    await store.sessions.compareAndSet(alice, 0, session('a'));
    await store.sessions.compareAndSet(alice, 1, session('b'));
    expect(await store.sessions.compareAndSet(alice, 1, session('stale'))).toBe(false);
    expect(await store.sessions.compareAndSet(alice, 0, session('stale'))).toBe(false);
    expect((await store.sessions.get(alice))?.value.state).toBe('b');
  });

  it('returns copies: changing a read session does not change the stored one', async () => {
    await store.sessions.compareAndSet(alice, 0, session('a', { q: '1' }));
    const read1 = await store.sessions.get(alice);
    read1!.value.answers.q = 'changed';
    expect((await store.sessions.get(alice))?.value.answers.q).toBe('1');
  });

  it('keeps users apart', async () => {
    await store.sessions.compareAndSet(alice, 0, session('a'));
    expect(await store.sessions.get(bob)).toBeUndefined();
    expect(await store.sessions.compareAndSet(bob, 0, session('b'))).toBe(true);
    expect((await store.sessions.get(alice))?.value.state).toBe('a');
  });

  it('creates user records with defaults, patches them, and removes fields given as null', async () => {
    const created = await store.users.update(alice, { locale: 'en', meetingAt: '2026-12-03T05:00:00.000Z', verdict: 'closing_meeting' });
    expect(created).toMatchObject({ channel: 'line', id: 'U-alice', locale: 'en', optedOut: false, blocked: false, unreachable: false });
    await store.users.update(alice, { blocked: true, meetingAt: null });
    const record = await store.users.get(alice);
    expect(record).toMatchObject({ blocked: true, verdict: 'closing_meeting', locale: 'en' });
    expect(record?.meetingAt).toBeUndefined();
    expect(await store.users.get(bob)).toBeUndefined();
  });

  it('keeps both of two updates that arrive together (an unfollow and an "unreachable" mark)', async () => {
    for (let round = 0; round < 5; round++) {
      const user: UserRef = { channel: 'line', id: `U-race-${round}` };
      await store.users.update(user, { verdict: 'offer_meeting' });
      // The webhook and a worker write different fields at the same moment: neither may undo the other.
      await Promise.all([store.users.update(user, { blocked: true }), store.users.update(user, { unreachable: true }), store.users.update(user, { meetingAt: null })]);
      expect(await store.users.get(user)).toMatchObject({ blocked: true, unreachable: true, verdict: 'offer_meeting' });
    }
  });

  it('returns the record as stored after the update, other writers included', async () => {
    await store.users.update(alice, { blocked: true });
    const after = await store.users.update(alice, { unreachable: true });
    expect(after).toMatchObject({ blocked: true, unreachable: true, optedOut: false });
  });

  it('scans every user of a channel in batches, and only that channel', async () => {
    for (let i = 0; i < 25; i++) await store.users.update({ channel: 'line', id: `U${i}` }, {});
    await store.users.update(bob, {});
    const seen: string[] = [];
    for await (const batch of store.users.scan('line', 10)) {
      expect(batch.length).toBeGreaterThan(0);
      seen.push(...batch.map((u) => u.id));
    }
    expect(new Set(seen).size).toBe(25);
    expect(seen).not.toContain('U-bob');
  });

  it('claims an id once until it is released', async () => {
    expect(await store.dedupe.claim('line', 'ev1', 60)).toBe(true);
    expect(await store.dedupe.claim('line', 'ev1', 60)).toBe(false);
    expect(await store.dedupe.claim('slack', 'ev1', 60)).toBe(true);
    await store.dedupe.release('line', 'ev1');
    expect(await store.dedupe.claim('line', 'ev1', 60)).toBe(true);
  });

  it('lets a short processing claim expire, but keeps a confirmed one', async () => {
    expect(await store.dedupe.claim('line', 'ev-short', 60)).toBe(true);
    await store.dedupe.confirm('line', 'ev-done', 3 * 86_400);
    expect(await store.dedupe.claim('line', 'ev-done', 60)).toBe(false);
    if (store instanceof MemoryStore) {
      clock.now = new Date(clock.now.getTime() + 61_000);
      expect(await store.dedupe.claim('line', 'ev-short', 60)).toBe(true);
      expect(await store.dedupe.claim('line', 'ev-done', 60)).toBe(false);
    } else {
      const { redis } = raw;
      const keys = redisKeys(prefixes.get(store)!);
      expect(await redis.ttl(keys.dedupe('line', 'ev-short'))).toBeLessThanOrEqual(60);
      expect(await redis.ttl(keys.dedupe('line', 'ev-done'))).toBeGreaterThan(86_400);
    }
  });

  it('deletes everything that belongs to a user and nothing else', async () => {
    await store.sessions.compareAndSet(alice, 0, session('a'));
    await store.users.update(alice, {});
    await store.sessions.compareAndSet(bob, 0, session('b'));
    await store.users.update(bob, {});
    await store.deleteUser(alice);
    expect(await store.sessions.get(alice)).toBeUndefined();
    expect(await store.users.get(alice)).toBeUndefined();
    const lineUsers: string[] = [];
    for await (const batch of store.users.scan('line')) lineUsers.push(...batch.map((u) => u.id));
    expect(lineUsers).not.toContain('U-alice');
    expect(await store.sessions.get(bob)).toBeDefined();
    // After deletion a conversation starts from scratch.
    expect(await store.sessions.compareAndSet(alice, 0, session('fresh'))).toBe(true);
  });

  it('keeps audience counts per bucket with every update and deletion', async () => {
    const day = 86_400_000;
    const soon = new Date(clock.now.getTime() + 2 * day).toISOString();
    const past = new Date(clock.now.getTime() - day).toISOString();
    const u = (id: string): UserRef => ({ channel: 'line', id });
    await store.users.update(u('a'), { locale: 'en', verdict: 'offer_meeting', meetingAt: soon });
    await store.users.update(u('b'), { blocked: true });
    await store.users.update(u('c'), { optedOut: true, meetingAt: past });
    await store.users.update(u('d'), { verdict: 'offer_meeting', meetingAt: soon });
    await store.users.update(u('d'), { unreachable: true });
    await store.users.update(u('e'), {});
    await store.users.update(u('e'), { blocked: true, optedOut: true });
    await store.users.update(u('e'), { blocked: false });
    await store.users.update(u('f'), { meetingAt: soon });
    await store.users.update(u('f'), { meetingAt: null });
    await store.users.update(u('g'), { verdict: 'closing_meeting' });
    await store.deleteUser(u('g'));
    await store.users.update(bob, { locale: 'en' });

    const window = { from: clock.now.getTime(), until: clock.now.getTime() + day };
    const sorted = async (channel: 'line' | 'slack', w: { from: number; until?: number }) =>
      (await store.users.audienceBuckets(channel, w)).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
    expect(await sorted('line', window)).toEqual(
      [
        { locale: 'en', verdict: 'offer_meeting', users: 1, upcoming: 1, within: 0 },
        { locale: 'ja', exclusion: 'blocked', users: 1, upcoming: 0, within: 0 },
        { locale: 'ja', exclusion: 'optedOut', users: 2, upcoming: 0, within: 0 },
        { locale: 'ja', users: 1, upcoming: 0, within: 0 },
        { locale: 'ja', verdict: 'offer_meeting', exclusion: 'unreachable', users: 1, upcoming: 1, within: 0 },
      ].sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y))),
    );
    const threeDays = await sorted('line', { from: window.from, until: window.from + 3 * day });
    expect(threeDays.filter((b) => b.within).map((b) => [b.locale, b.exclusion, b.within])).toEqual([['en', undefined, 1], ['ja', 'unreachable', 1]]);
    expect(await sorted('slack', { from: window.from })).toEqual([{ locale: 'en', users: 1, upcoming: 0, within: 0 }]);
  });

  it('answers ping', async () => {
    expect(await store.ping()).toBe(true);
  });
});

describe('session expiry', () => {
  it('forgets a session after its TTL in memory', async () => {
    const store = new MemoryStore({ sessionTtlSeconds: 60, clock: read });
    const user: UserRef = { channel: 'console', id: 'ttl' };
    await store.sessions.compareAndSet(user, 0, session('a'));
    clock.now = new Date(clock.now.getTime() + 61_000);
    expect(await store.sessions.get(user)).toBeUndefined();
    expect(await store.sessions.compareAndSet(user, 0, session('b'))).toBe(true);
  });

  it('sets a TTL on Redis session keys', async () => {
    const store = createRedisStore(`${prefix}ttl:`, { sessionTtlSeconds: 120 });
    stores.push(store);
    const user: UserRef = { channel: 'console', id: 'ttl' };
    await store.sessions.compareAndSet(user, 0, session('a'));
    const ttl = await raw.redis.pttl(redisKeys(`${prefix}ttl:`).session(user));
    expect(ttl).toBeGreaterThan(100_000);
    expect(ttl).toBeLessThanOrEqual(120_000);
  });
});
