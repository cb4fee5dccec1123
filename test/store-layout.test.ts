/**
 * An existing deployment's keys, in the names versions before Redis Cluster support used,
 * move to this version's names at startup (src/store/layout.ts): the runtime writes a
 * user, a session, a scheduled reminder (a BullMQ delayed job), a broadcast and a handoff;
 * the test renames every key back to the earlier layout, as an earlier version would have
 * left them; a new runtime then reads all of it and the reminder fires. Values did not
 * change between the layouts, only names. Real Redis; LINE faked with nock.
 */
import nock from 'nock';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { UserRef } from '../src/conversation/types.ts';
import type { Runtime } from '../src/runtime.ts';
import { KEY_LAYOUT_VERSION } from '../src/store/keys.ts';
import { encodeUser } from '../src/store/user-codec.ts';
import { TOKENS } from './support/admin.ts';
import { giveMeeting } from './support/conversation.ts';
import { fakeLineApi } from './support/line.ts';
import { startLineRuntime } from './support/line-runtime.ts';
import { createRedisStore, deletePrefix, rawRedis, redisUrl, uniquePrefix } from './support/redis.ts';

const prefix = uniquePrefix('layout');
const runtimes: Runtime[] = [];
afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.stop();
  nock.cleanAll();
  nock.enableNetConnect();
});
afterAll(() => deletePrefix(prefix));

// The meeting is on Thursday 2026-12-03 at 14:00 in Tokyo; its first reminder is due two hours before.
const DUE = Date.parse('2026-12-03T12:00:00+09:00');

async function start(p: string, clock: { offset: number }): Promise<Runtime> {
  const runtime = await startLineRuntime({ REDIS_URL: redisUrl(), REDIS_PREFIX: p }, clock);
  runtimes.push(runtime);
  return runtime;
}

/**
 * Renames every key under `p` to the name the earlier layout gave it (the inverse of
 * layout.ts, written out from the earlier keys.ts), and leaves an earlier audience index
 * behind as an earlier version would have (its own counts, the channel marked indexed).
 */
async function toEarlierLayout(p: string): Promise<void> {
  const { redis } = rawRedis(p);
  const names: string[] = [];
  let cursor = '0';
  do {
    const [next, page] = await redis.scan(cursor, 'MATCH', `${p}*`, 'COUNT', 1000);
    cursor = next;
    names.push(...page);
  } while (cursor !== '0');
  for (const name of names) {
    const rel = name.slice(p.length);
    let m: RegExpExecArray | null;
    if ((m = /^\{u:([^:]+):\d+\}:(session|user|reminders):(.+)$/.exec(rel))) await redis.rename(name, `${p}${m[2]}:${m[1]}:${m[3]}`);
    else if ((m = /^\{u:([^:]+):\d+\}:users$/.exec(rel))) {
      await redis.sunionstore(`${p}users:${m[1]}`, `${p}users:${m[1]}`, name);
      await redis.del(name);
    } else if (/^\{u:[^}]+\}:audience:/.test(rel)) await redis.del(name);
    else if ((m = /^\{b:([^}]+)\}(.*)$/.exec(rel))) await redis.rename(name, `${p}broadcast:${m[1]}${m[2]}`);
    else if (rel.startsWith('{h}:')) await redis.rename(name, `${p}${rel.slice('{h}:'.length)}`);
    else if (rel.startsWith('{bull}:')) await redis.rename(name, `${p}bull:${rel.slice('{bull}:'.length)}`);
    else if (rel === 'layout' || rel.startsWith('audience:indexed:')) await redis.del(name);
  }
  await redis.hset(`${p}audience:counts:line`, 'en||include', '7');
  await redis.set(`${p}audience:indexed:line`, new Date().toISOString());
  await redis.quit();
}

describe('the key layout migration', () => {
  it('moves an earlier deployment’s users, sessions, reminder jobs, broadcasts and handoffs, and the reminder still fires', async () => {
    nock.disableNetConnect();
    const api = fakeLineApi();
    const p = `${prefix}a:`;
    // 45 s before the reminder is due: its job (which fires 30 s early) waits 15 s in BullMQ.
    const clock = { offset: DUE - 45_000 - Date.now() };
    const before = await start(p, clock);
    const user: UserRef = { channel: 'line', id: 'U-layout-1' };
    await giveMeeting(before.conversations, user, '12/3 14:00');
    for (const id of ['U-layout-2', 'U-layout-3']) await before.store.users.update({ channel: 'line', id }, { locale: 'en' });
    const handoff = await before.store.handoffs.open({ id: 'h-layout', user, locale: 'ja', timeZone: 'Asia/Tokyo', createdAt: new Date().toISOString(), summary: { answers: [], recent: [] } });
    const scheduled = await before.app.inject({
      method: 'POST',
      url: '/api/admin/broadcasts',
      headers: { authorization: `Bearer ${TOKENS.aiko}`, 'idempotency-key': 'layout-1' },
      payload: { tipId: 'online_setup', sendAt: new Date(Date.now() + clock.offset + 30 * 86_400_000).toISOString() },
    });
    expect(scheduled.statusCode).toBe(201);
    const session = await before.store.sessions.get(user);
    expect(session).toBeDefined();
    expect(await before.store.reminderIndex.ids(user)).not.toHaveLength(0);
    await before.stop();
    runtimes.splice(0);

    await toEarlierLayout(p);
    const { redis } = rawRedis(p);
    expect(await redis.exists(`${p}session:line:U-layout-1`, `${p}user:line:U-layout-2`, `${p}users:line`, `${p}handoff:h-layout`, `${p}bull:reminders:meta`)).toBe(5);

    // Later: the new version starts on the same Redis, the reminder's job now due.
    clock.offset += 40_000;
    const after = await start(p, clock);
    expect(Number(await redis.get(`${p}layout`))).toBe(KEY_LAYOUT_VERSION);
    expect(await redis.exists(`${p}session:line:U-layout-1`, `${p}users:line`, `${p}audience:counts:line`, `${p}bull:reminders:meta`)).toBe(0);
    await redis.quit();

    expect(await after.store.sessions.get(user)).toEqual(session);
    expect(await after.store.users.get({ channel: 'line', id: 'U-layout-2' })).toMatchObject({ locale: 'en' });
    expect((await after.store.handoffs.active(user))?.id).toBe(handoff.handoff.id);
    const broadcast = await after.store.broadcasts.get(scheduled.json().id as string);
    expect(broadcast).toMatchObject({ status: 'scheduled' });
    // The audience index is built afresh from the moved records (the earlier one's 7 are gone).
    await vi.waitUntil(() => after.store.audience.index.ready('line'), { timeout: 10_000, interval: 50 });
    const preview = await after.app.inject({ method: 'POST', url: '/api/admin/audience/preview', headers: { authorization: `Bearer ${TOKENS.aiko}` }, payload: {} });
    expect(preview.json()).toMatchObject({ total: 3, byChannel: { line: { ja: 1, en: 2 } } });
    // The reminder scheduled by the earlier version fires.
    await vi.waitUntil(() => api.pushes().some((c) => c.body.to === user.id) || api.multicasts().some((c) => (c.body.to as string[]).includes(user.id)), { timeout: 40_000, interval: 100 });
  }, 90_000);

  it('moves the keys once when several processes start together, and does nothing the next time', async () => {
    const p = `${prefix}b:`;
    const { redis } = rawRedis(p);
    const record = (id: string) => encodeUser({ channel: 'line', id, locale: 'ja', timeZone: 'Asia/Tokyo', optedOut: false, blocked: false, unreachable: false, updatedAt: new Date().toISOString() });
    for (let i = 0; i < 300; i++) await redis.hset(`${p}user:line:U${i}`, { ...record(`U${i}`), _ix: 'ja||include|' });
    await redis.sadd(`${p}users:line`, ...Array.from({ length: 300 }, (_, i) => `U${i}`));
    const stores = [createRedisStore(p), createRedisStore(p), createRedisStore(p)];
    const results = await Promise.all(stores.map((s) => s.migrateLayout()));
    expect(results.map((r) => r.moved).sort((a, b) => a - b)).toEqual([0, 0, 301]);
    expect(await stores[0]!.users.get({ channel: 'line', id: 'U7' })).toMatchObject({ id: 'U7', locale: 'ja' });
    // Moved without the earlier index entry, so the new index counts each record once.
    expect(await stores[0]!.audience.index.build('line')).toBe(300);
    expect(await stores[1]!.migrateLayout()).toEqual({ from: KEY_LAYOUT_VERSION, moved: 0 });
    const ids: string[] = [];
    for await (const batch of stores[2]!.users.scan('line')) ids.push(...batch.map((u) => u.id));
    expect(ids).toHaveLength(300);
    for (const store of stores) await store.close();
    await redis.quit();
  });
});
