/**
 * User records are kept while their session, reminders or an open handoff live, and deleted
 * after the retention period of silence, with their id in the users set and their entry in
 * the audience index. Real Redis; a retention of seconds instead of USER_RETENTION_DAYS.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import type { Session } from '../src/conversation/session.ts';
import type { UserRef } from '../src/conversation/types.ts';
import { SHARDS } from '../src/store/keys.ts';
import type { RedisStore } from '../src/store/redis-store.ts';
import { createRedisStore, deletePrefix, rawRedis, uniquePrefix } from './support/redis.ts';

const RETENTION_MS = 1_500;
const WINDOW = { from: Date.parse('2026-01-01T00:00:00Z') };

const prefix = uniquePrefix('retention');
const raw = rawRedis(prefix);
let store: RedisStore;

beforeEach(() => {
  store = createRedisStore(prefix, { sessionTtlSeconds: 1 });
});
afterEach(async () => {
  await store.close();
  await deletePrefix(prefix);
});
afterAll(() => raw.redis.quit());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const line = (id: string): UserRef => ({ channel: 'line', id });

function session(): Session {
  return { flowId: 'f', flowVersion: 1, state: 'start', answers: {}, history: [], locale: 'ja', timeZone: 'Asia/Tokyo', optedOut: false, updatedAt: new Date().toISOString() };
}

/** A user who just talked: a session (1 s TTL here) and a record with a meeting. */
async function talked(user: UserRef): Promise<void> {
  expect(await store.sessions.compareAndSet(user, 0, session())).toBe(true);
  await store.users.update(user, { verdict: 'offer_meeting', meetingAt: '2026-12-03T05:00:00.000Z' });
}

async function ids(): Promise<string[]> {
  return (await Promise.all(SHARDS.map((shard) => raw.redis.smembers(raw.keys.usersOf('line', shard))))).flat().sort();
}

async function audienceTotal(): Promise<number> {
  const buckets = await store.users.audienceBuckets('line', WINDOW);
  return buckets.reduce((sum, b) => sum + b.users, 0);
}

async function scanned(): Promise<string[]> {
  const found: string[] = [];
  for await (const batch of store.users.scan('line')) found.push(...batch.map((r) => r.id));
  return found.sort();
}

describe('user retention', () => {
  it('keeps a record while its session lives, then deletes it after the retention period of silence', async () => {
    await talked(line('U-silent'));
    expect(await store.retention.sweep('line', RETENTION_MS)).toEqual({ deleted: 0, orphans: 0 });

    // The session is gone, but the user was seen only moments ago.
    await sleep(1_100);
    expect(await store.sessions.get(line('U-silent'))).toBeUndefined();
    expect(await store.retention.sweep('line', RETENTION_MS)).toEqual({ deleted: 0, orphans: 0 });
    expect(await store.users.get(line('U-silent'))).toBeDefined();

    await sleep(RETENTION_MS);
    expect(await store.retention.sweep('line', RETENTION_MS)).toEqual({ deleted: 1, orphans: 0 });
    expect(await store.users.get(line('U-silent'))).toBeUndefined();
    expect(await ids()).toEqual([]);
    expect(await scanned()).toEqual([]);
    expect(await audienceTotal()).toBe(0);
    // The meeting index holds nobody either (empty sorted sets vanish).
    expect((await raw.redis.scan('0', 'MATCH', `${raw.keys.prefix}{u:line:*}:audience:meetings:*`, 'COUNT', 1000))[1]).toEqual([]);
  });

  it('counts silence from the last time something of the user lived, not from the record’s last change', async () => {
    await talked(line('U-long-session'));
    // The record stops changing, but the session stays alive longer than the retention period.
    for (let i = 0; i < 4; i++) {
      await sleep(600);
      const current = await store.sessions.get(line('U-long-session'));
      expect(await store.sessions.compareAndSet(line('U-long-session'), current!.version, session())).toBe(true);
      expect(await store.retention.sweep('line', RETENTION_MS)).toEqual({ deleted: 0, orphans: 0 });
    }
    // Its session has just ended: the silence starts now.
    await sleep(1_100);
    expect(await store.retention.sweep('line', RETENTION_MS)).toEqual({ deleted: 0, orphans: 0 });
    expect(await store.users.get(line('U-long-session'))).toBeDefined();
  });

  it('keeps a record while reminders are planned or a handoff is open, however long the silence', async () => {
    await talked(line('U-reminded'));
    await store.reminderIndex.replace(line('U-reminded'), { 'job-1': '2026-12-03T03:00:00.000Z' });
    await talked(line('U-handoff'));
    // Handoffs live as long as a conversation; this store's is an hour, not the test's second.
    const handoffs = createRedisStore(prefix, { sessionTtlSeconds: 3_600 });
    const opened = { id: 'h-retention', user: line('U-handoff'), locale: 'ja', timeZone: 'Asia/Tokyo', createdAt: new Date().toISOString() };
    const { handoff } = await handoffs.handoffs.open(opened as Parameters<RedisStore['handoffs']['open']>[0]);
    await talked(line('U-gone'));

    await sleep(1_100 + RETENTION_MS);
    expect(await store.retention.sweep('line', RETENTION_MS)).toEqual({ deleted: 1, orphans: 0 });
    expect(await ids()).toEqual(['U-handoff', 'U-reminded']);
    expect(await scanned()).toEqual(['U-handoff', 'U-reminded']);
    expect(await audienceTotal()).toBe(2);

    // Once the reminders have fired and the handoff has ended, their silence counts.
    await store.reminderIndex.remove(line('U-reminded'));
    await handoffs.handoffs.end(handoff.id, 'staff', new Date().toISOString());
    await handoffs.close();
    expect(await store.retention.sweep('line', RETENTION_MS)).toEqual({ deleted: 0, orphans: 0 });
    await sleep(RETENTION_MS + 100);
    expect(await store.retention.sweep('line', RETENTION_MS)).toEqual({ deleted: 2, orphans: 0 });
    expect(await ids()).toEqual([]);
    expect(await audienceTotal()).toBe(0);
  });

  it('takes ids whose record is already gone out of the users set', async () => {
    await talked(line('U-orphan'));
    await raw.redis.del(raw.keys.user(line('U-orphan')));
    expect(await store.retention.sweep('line', RETENTION_MS)).toEqual({ deleted: 0, orphans: 1 });
    expect(await ids()).toEqual([]);
  });

  it('is a year by default (USER_RETENTION_DAYS)', () => {
    expect(loadConfig({}).USER_RETENTION_DAYS).toBe(365);
    expect(loadConfig({ USER_RETENTION_DAYS: '30' }).USER_RETENTION_DAYS).toBe(30);
  });

  it('never shows its mark in the record', async () => {
    await talked(line('U-marked'));
    await store.retention.sweep('line', RETENTION_MS);
    expect(await raw.redis.hexists(raw.keys.user(line('U-marked')), '_seen')).toBe(1);
    expect(Object.keys((await store.users.get(line('U-marked')))!).some((k) => k.startsWith('_'))).toBe(false);
  });
});
