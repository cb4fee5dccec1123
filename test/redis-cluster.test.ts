/**
 * The bot on a real Redis Cluster of three masters (test/support/redis-cluster.ts), set up
 * with REDIS_CLUSTER_NODES as an operator would: a LINE message through the inbox to a
 * worker and its answer, users and an audience preview, a broadcast frozen and sent, a
 * reminder scheduled and fired through BullMQ, a handoff opened and ended. Every script
 * and MULTI must touch one hash slot, or the cluster refuses it (CROSSSLOT). LINE is faked
 * with nock. Skipped, saying why, only where redis-server is not installed.
 */
import { Cluster } from 'ioredis';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import type { UserRef } from '../src/conversation/types.ts';
import { requireRedis, type Runtime } from '../src/runtime.ts';
import { redisKeys, SHARDS, userShard } from '../src/store/keys.ts';
import { TOKENS } from './support/admin.ts';
import { giveMeeting } from './support/conversation.ts';
import { ev, fakeLineApi, postLineWebhook } from './support/line.ts';
import { startLineRuntime } from './support/line-runtime.ts';
import { clusterUnavailable, startRedisCluster, type RedisCluster } from './support/redis-cluster.ts';

const unavailable = clusterUnavailable();
if (unavailable) console.warn(`Redis Cluster tests skipped: ${unavailable}`);

// Thursday 2026-12-03, 11:59:57 in Tokyo: a 14:00 meeting's "two hours before" is due in 3 s.
const JUST_BEFORE = Date.parse('2026-12-03T11:59:57+09:00');
const PREFIX = 'cluster:';

describe('REDIS_CLUSTER_NODES', () => {
  it('names a cluster by some of its nodes, instead of REDIS_URL and never with it', () => {
    expect(requireRedis(loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:6379, redis-2:7000' }))).toEqual({
      cluster: [
        { host: '10.0.0.1', port: 6379 },
        { host: 'redis-2', port: 7000 },
      ],
    });
    expect(requireRedis(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }))).toEqual({ url: 'redis://127.0.0.1:6379' });
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1' })).toThrow(/REDIS_CLUSTER_NODES: must be host:port pairs/);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:6379', REDIS_URL: 'redis://127.0.0.1:6379' })).toThrow(ConfigError);
    expect(() => requireRedis(loadConfig({}))).toThrow(/REDIS_URL: must be set .* or REDIS_CLUSTER_NODES/);
  });
});

describe.skipIf(unavailable !== undefined)('on a Redis Cluster of three masters', () => {
  let cluster: RedisCluster;
  let client: Cluster;
  let runtime: Runtime;
  let api: ReturnType<typeof fakeLineApi>;
  const clock = { offset: 0 };

  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1/);
    api = fakeLineApi();
    cluster = await startRedisCluster();
    client = new Cluster(cluster.nodes);
    runtime = await startLineRuntime({ REDIS_CLUSTER_NODES: cluster.env, REDIS_PREFIX: PREFIX }, clock);
    await vi.waitUntil(async () => (await runtime.app.inject({ method: 'GET', url: '/readyz' })).statusCode === 200, { timeout: 20_000, interval: 50 });
  }, 60_000);

  afterAll(async () => {
    await runtime?.stop();
    await client?.quit();
    await cluster?.stop();
    nock.cleanAll();
    nock.enableNetConnect();
  });

  const slotOf = async (key: string) => Number(await client.call('CLUSTER', 'KEYSLOT', key));
  const slotsOf = async (keys: string[]) => new Set(await Promise.all(keys.map(slotOf)));
  const staff = (method: 'GET' | 'POST', url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    runtime.app.inject({ method, url, ...(payload !== undefined ? { payload: payload as object } : {}), headers: { authorization: `Bearer ${TOKENS.aiko}`, ...headers } });

  it('names the keys each script or MULTI touches in one hash slot, and spreads users over the nodes', async () => {
    const keys = redisKeys(PREFIX);
    for (const id of ['U0', 'Uffffffffffffffffffffffffffffffff', 'T1:U2']) {
      const user: UserRef = { channel: 'line', id };
      const shard = userShard(id);
      // The users' update, removal and sweep scripts, and the index build.
      const userKeys = [...keys.ownedBy(user), keys.usersOf('line', shard), keys.audienceCounts('line', shard), keys.audienceMeetings('line', shard, 'ja||include'), keys.userPrefix('line', shard) + id];
      expect(await slotsOf(userKeys)).toHaveProperty('size', 1);
      // Handoffs: open (pointer, record, staff inbox, the user's set), end, append, delete.
      const handoffKeys = [keys.handoffActive(user), keys.handoff('h1'), keys.handoffs, keys.handoffsOf(user), keys.handoffMessages('h1'), keys.handoffOrder('h1'), keys.handoffThread('C1', '1.2')];
      expect(await slotsOf(handoffKeys)).toHaveProperty('size', 1);
    }
    // A broadcast's freeze, commit, chunk count and cancel.
    expect(await slotsOf([keys.broadcast('b1'), keys.broadcastChunks('b1', 1), keys.broadcastSeen('b1', 1), keys.broadcastDone('b1')])).toHaveProperty('size', 1);
    // BullMQ's keys of every queue, the inbox partition's, the insights counters', a reminder batch's.
    expect(await slotsOf([`${keys.queuePrefix}:reminders:delayed`, `${keys.queuePrefix}:reminders:42`, `${keys.queuePrefix}:broadcast-line:wait`])).toHaveProperty('size', 1);
    const inbox = keys.inbox('inbox', 3);
    expect(await slotsOf([inbox.stream, inbox.lease, inbox.seen('line', 'e1')])).toHaveProperty('size', 1);
    expect(await slotsOf([keys.insightsDay('2026-12-01'), keys.insightsRecentBroadcasts])).toHaveProperty('size', 1);
    const batch = keys.reminderBatches(1_764_000_000);
    expect(await slotsOf([batch.memberOf, batch.members('g'), batch.plan('g')])).toHaveProperty('size', 1);
    // The shards of a channel and the inbox partitions land on every master.
    const nodeOf = async (key: string) => {
      const slot = await slotOf(key);
      const ranges = (await client.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
      return ranges.find(([from, to]) => slot >= from && slot <= to)![2][1];
    };
    expect(new Set(await Promise.all(SHARDS.map((s) => nodeOf(keys.usersOf('line', s)))))).toHaveProperty('size', 3);
    expect(new Set(await Promise.all(Array.from({ length: 16 }, (_, p) => nodeOf(keys.inbox('inbox', p).stream))))).toHaveProperty('size', 3);
  });

  it('answers a LINE message through the inbox and a worker', async () => {
    const response = await postLineWebhook(runtime.app, [ev.text('U-cluster-1', 'こんにちは')]);
    expect(response.statusCode).toBe(200);
    await vi.waitUntil(() => api.sentTo('U-cluster-1').length > 0, { timeout: 15_000, interval: 50 });
    expect(await runtime.store.users.get({ channel: 'line', id: 'U-cluster-1' })).toMatchObject({ id: 'U-cluster-1' });
  });

  it('counts an audience over every shard, and freezes and sends a broadcast to it', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `U-bc-${i}`);
    for (const [i, id] of ids.entries()) await runtime.store.users.update({ channel: 'line', id }, { locale: i % 2 ? 'en' : 'ja', ...(i === 0 ? { optedOut: true } : {}) });
    const before = (await staff('POST', '/api/admin/audience/preview', {})).json();
    // U-cluster-1 from the test before is in the audience too.
    expect(before).toMatchObject({ total: 40, excluded: { optedOut: 1 } });

    const created = await staff('POST', '/api/admin/broadcasts', { tipId: 'online_setup' }, { 'idempotency-key': 'cluster-1' });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    await vi.waitUntil(async () => (await staff('GET', `/api/admin/broadcasts/${id}`)).json().status === 'done', { timeout: 20_000, interval: 100 });
    expect((await staff('GET', `/api/admin/broadcasts/${id}`)).json()).toMatchObject({ status: 'done', sent: 40, failed: 0 });
    const reached = api.multicasts().flatMap((c) => c.body.to as string[]);
    expect(new Set(reached).size).toBe(40);
    expect(reached).toHaveLength(40);
    expect(reached).not.toContain('U-bc-0');
    // The staff list reads each broadcast from its own slot.
    expect((await staff('GET', '/api/admin/broadcasts')).json()).toMatchObject({ broadcasts: [{ id, status: 'done' }] });
  });

  it('fires a reminder scheduled through BullMQ', async () => {
    clock.offset = JUST_BEFORE - Date.now();
    // Users on several shards (and nodes) due together: one batch of reminders.
    const users: UserRef[] = ['U-cluster-reminder-1', 'U-cluster-reminder-2', 'U-cluster-reminder-3'].map((id) => ({ channel: 'line', id }));
    for (const user of users) await giveMeeting(runtime.conversations, user, '12/3 14:00');
    const reached = (id: string) => api.pushes().some((p) => p.body.to === id) || api.multicasts().some((c) => (c.body.to as string[]).includes(id));
    await vi.waitUntil(() => users.every((u) => reached(u.id)), { timeout: 30_000, interval: 50 });
  }, 40_000);

  it('opens, answers and ends an advisor handoff, and deletes a user with all their keys', async () => {
    const user: UserRef = { channel: 'line', id: 'U-cluster-handoff' };
    const { handoffs } = runtime.store;
    const opened = await handoffs.open({ id: 'h-cluster', user, locale: 'ja', timeZone: 'Asia/Tokyo', createdAt: new Date().toISOString(), summary: { answers: [], recent: [] } });
    expect(opened.created).toBe(true);
    expect((await handoffs.active(user))?.id).toBe('h-cluster');
    expect((await handoffs.append('h-cluster', { id: 'm1', at: new Date().toISOString(), from: 'user', text: 'こんにちは' })).created).toBe(true);
    expect((await handoffs.take('h-cluster', 'aiko', new Date().toISOString()))?.ok).toBe(true);
    expect((await handoffs.end('h-cluster', 'aiko', new Date().toISOString()))?.changed).toBe(true);
    expect(await handoffs.active(user)).toBeUndefined();
    expect((await handoffs.list(10)).map((h) => h.id)).toContain('h-cluster');

    await runtime.store.users.update(user, { locale: 'ja' });
    await runtime.store.deleteUser(user);
    await handoffs.deleteForUser(user);
    expect(await runtime.store.users.get(user)).toBeUndefined();
    expect(await handoffs.get('h-cluster')).toBeUndefined();
    // The retention sweep walks every shard of the channel.
    await expect(runtime.store.retention.sweep('line', 365 * 86_400_000)).resolves.toMatchObject({ deleted: 0 });
  });
});
