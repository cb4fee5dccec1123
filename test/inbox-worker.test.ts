/**
 * The inbox on real Redis: once per event id, back-pressure over the depth, and three
 * workers sharing the partitions keep every user's order with nothing lost or doubled,
 * even when one of them leaves midway.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { inboxSettings } from '../src/inbox/settings.ts';
import type { InboxEntry } from '../src/inbox/types.ts';
import { InboxWorker } from '../src/inbox/worker.ts';
import { silentLogger } from './support/conversation.ts';
import { createRedisStore, deletePrefix, uniquePrefix } from './support/redis.ts';

const prefix = uniquePrefix('inbox-worker');
const stores = [createRedisStore(prefix), createRedisStore(prefix), createRedisStore(prefix)];
afterAll(async () => {
  for (const store of stores) await store.close();
  await deletePrefix(prefix);
});

const inboxOf = (i: number, name: string, depth = 100_000) => stores[i]!.inbox(inboxSettings({ INBOX_PARTITIONS: 8, INBOX_MAX_DEPTH: depth }, name));

describe('accepting', () => {
  it('stores an event id once, however often it is delivered', async () => {
    const inbox = inboxOf(0, 'once');
    const entry = { channel: 'line' as const, key: 'line:U1', eventId: 'ev-1', data: '{}' };
    expect(await inbox.append([entry])).toEqual({ status: 'accepted', appended: 1, duplicates: 0 });
    expect(await inbox.append([entry, { ...entry, eventId: 'ev-2' }])).toEqual({ status: 'accepted', appended: 1, duplicates: 1 });
    expect(await inbox.depth()).toBe(2);
  });

  it('gives each of the webhooks accepted together its own outcome, in the order they came', async () => {
    const inbox = inboxOf(0, 'together');
    const entry = (user: number, eventId: string) => ({ channel: 'line' as const, key: `line:U${user}`, eventId, data: JSON.stringify({ user, eventId }) });
    // Sent in one turn of the event loop, so they share scripts and a pipeline: the same event
    // twice (a redelivery racing the first delivery) is stored once, for the first to ask.
    const outcomes = await Promise.all([
      inbox.append([entry(1, 't1'), entry(2, 't2')]),
      inbox.append([entry(1, 't1')]),
      inbox.append([entry(3, 't3'), entry(2, 't2'), entry(1, 't4')]),
    ]);
    expect(outcomes).toEqual([
      { status: 'accepted', appended: 2, duplicates: 0 },
      { status: 'accepted', appended: 0, duplicates: 1 },
      { status: 'accepted', appended: 2, duplicates: 1 },
    ]);
    const seen: string[] = [];
    const worker = new InboxWorker({ inbox, handlers: { line: async (e) => void seen.push(JSON.parse(e.data).eventId) }, logger: silentLogger, leaseMs: 2_000 });
    await worker.start();
    await worker.settled();
    await worker.stop();
    expect(seen.toSorted()).toEqual(['t1', 't2', 't3', 't4']);
    // One user's events keep the order their webhooks came in.
    expect(seen.filter((id) => id === 't1' || id === 't4')).toEqual(['t1', 't4']);
  });

  it('refuses everything of a request over the depth, and takes it once there is room', async () => {
    const inbox = stores[0]!.inbox(inboxSettings({ INBOX_PARTITIONS: 1, INBOX_MAX_DEPTH: 10 }, 'full'));
    for (let i = 0; i < 10; i++) expect((await inbox.append([{ channel: 'line', key: `line:U${i}`, eventId: `f${i}`, data: '{}' }])).status).toBe('accepted');
    const late = { channel: 'line' as const, key: 'line:Ulate', eventId: 'late', data: '{}' };
    expect(await inbox.append([late])).toEqual({ status: 'full' });
    const seen: string[] = [];
    const worker = new InboxWorker({ inbox, handlers: { line: async (e) => void seen.push(e.key) }, logger: silentLogger, leaseMs: 2_000 });
    await worker.start();
    await worker.settled();
    // Refused means not claimed: the redelivery is accepted, not taken for a duplicate.
    expect(await inbox.append([late])).toEqual({ status: 'accepted', appended: 1, duplicates: 0 });
    await worker.settled();
    await worker.stop();
    expect(seen).toHaveLength(11);
    expect(seen.at(-1)).toBe('line:Ulate');
  });
});

describe('three workers, 100 users', () => {
  it('applies every user’s events in order, none lost, none doubled, while a worker leaves', async () => {
    const name = 'order';
    const applied = new Map<string, number[]>();
    let handled = 0;
    const handler = async (entry: InboxEntry) => {
      const { seq } = JSON.parse(entry.data) as { seq: number };
      // A little work, so batches of different users overlap.
      await new Promise((r) => setTimeout(r, Math.random() * 3));
      applied.set(entry.key, [...(applied.get(entry.key) ?? []), seq]);
      handled++;
    };
    // A lease long enough that a busy test process never lets one lapse mid-batch (that case is
    // the session's to absorb: it remembers the last event applied).
    const workers = [0, 1, 2].map((i) => new InboxWorker({ inbox: inboxOf(i, name), handlers: { line: handler }, logger: silentLogger, leaseMs: 3_000 }));
    for (const worker of workers) await worker.start();
    // Leases settle into shares within a few heartbeats.
    await vi.waitUntil(() => workers.every((w) => w.held.length > 0), { timeout: 10_000, interval: 50 });

    const writer = inboxOf(0, name);
    const users = Array.from({ length: 100 }, (_, i) => `line:U${i}`);
    for (let seq = 0; seq < 10; seq++) {
      // Interleaved: every user's next event, in one webhook-sized request of ten users at a time.
      for (let i = 0; i < users.length; i += 10) {
        const batch = users.slice(i, i + 10).map((key) => ({ channel: 'line' as const, key, eventId: `${key}:${seq}`, data: JSON.stringify({ seq }) }));
        expect((await writer.append(batch)).status).toBe('accepted');
      }
      if (seq === 4) await workers[2]!.stop();
    }
    await workers[0]!.settled();
    for (const worker of workers.slice(0, 2)) await worker.stop();

    expect(handled).toBe(1000);
    for (const key of users) expect(applied.get(key), key).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
