/**
 * Broadcast delivery end to end on real Redis and BullMQ: freeze, chunk jobs, LINE
 * multicast against a fake LINE server on loopback, Slack DMs against the nock Slack fake.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { multicastRetryKey } from '../src/channels/line/multicast.ts';
import { deliverChunk } from '../src/jobs/broadcast/delivery.ts';
import { freezeAudience } from '../src/jobs/broadcast/freeze.ts';
import { broadcastKit, lineId, seedUsers, type BroadcastKit, type KitOptions } from './support/broadcast.ts';
import { content } from './support/conversation.ts';
import { dmOf } from './support/slack.ts';

let kit: BroadcastKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

async function setup(options: KitOptions = {}): Promise<BroadcastKit> {
  kit = await broadcastKit('broadcast', options);
  return kit;
}

const tipTitle = (id: string, locale: 'ja' | 'en') => content().catalog[locale].get(`tips.${id}.title`)!;
let keySeq = 0;
const create = (k: BroadcastKit, input: Partial<Parameters<BroadcastKit['service']['create']>[0]> = {}) =>
  k.service.create({ staff: 'aiko', idempotencyKey: `key-${++keySeq}`, source: { tipId: 'reply_speed' }, filter: {}, ...input });

describe('LINE multicast', () => {
  it('sends each user the tip once, in their language, in chunks of at most 500 with one retry key each', async () => {
    const k = await setup();
    const users = Array.from({ length: 1_203 }, (_, i) => ({ id: lineId(i), locale: i % 4 === 0 ? ('en' as const) : ('ja' as const) }));
    await seedUsers(k.store, [...users, { id: lineId(5_000), optedOut: true }, { id: lineId(5_001), blocked: true }]);
    k.startWorkers();

    const { record } = await create(k);
    expect(record.total).toBe(1_203);
    expect(record.audience?.excluded).toEqual({ blocked: 1, unreachable: 0, optedOut: 1 });
    const done = await k.waitFor(record.id);

    expect(done).toMatchObject({ status: 'done', total: 1_203, sent: 1_203, failed: 0, skipped: 0 });
    const accepted = k.fakeLine.accepted();
    expect(accepted.length).toBe(Math.ceil(301 / 500) + Math.ceil(902 / 500));
    expect(accepted.every((c) => c.to.length <= 500)).toBe(true);
    const keys = accepted.map((c) => c.retryKey);
    expect(new Set(keys).size).toBe(accepted.length);
    const expectedKeys = [0, 1, 2].map((n) => multicastRetryKey(`broadcast:${record.id}:line:${n}`));
    expect(keys.sort()).toEqual(expectedKeys.sort());

    expect(k.fakeLine.stats.doubleDeliveries).toBe(0);
    expect(k.fakeLine.deliveries.size).toBe(1_203);
    expect(k.fakeLine.deliveries.has(lineId(5_000))).toBe(false);
    const [en] = k.fakeLine.received(lineId(0));
    const [ja] = k.fakeLine.received(lineId(1));
    expect(en).toMatchObject({ type: 'flex', altText: expect.stringContaining(tipTitle('reply_speed', 'en')) });
    expect(ja).toMatchObject({ type: 'flex', altText: expect.stringContaining(tipTitle('reply_speed', 'ja')) });
    expect(await k.metrics.registry.getSingleMetricAsString('mendan_broadcast_messages_total')).toContain('result="sent"} 1203');
  });

  it('waits out a 429 with Retry-After across the queue, and retries a 5xx, sending nobody twice', async () => {
    const k = await setup({ line: { retryAfterSeconds: 1 } });
    await seedUsers(k.store, Array.from({ length: 1_100 }, (_, i) => ({ id: lineId(i) })));
    k.fakeLine.failNext(
      { status: 429, headers: { 'retry-after': '1' } },
      { status: 500, body: { message: 'Internal error' } },
    );
    k.startWorkers();
    const { record } = await create(k);
    const done = await k.waitFor(record.id);

    expect(done).toMatchObject({ status: 'done', sent: 1_100, failed: 0 });
    expect(k.fakeLine.stats.doubleDeliveries).toBe(0);
    expect(k.fakeLine.deliveries.size).toBe(1_100);
    const limited = k.fakeLine.calls.find((c) => c.status === 429)!;
    const retried = k.fakeLine.calls.filter((c) => c.retryKey === limited.retryKey && c.at > limited.at);
    // The refused chunk went back to the queue, which waited out Retry-After: 1 (its retry
    // may be the request that gets the 500, and then goes again).
    expect(retried[0]!.at - limited.at).toBeGreaterThanOrEqual(950);
    expect(retried.at(-1)!.status).toBe(200);
  });

  it('stays within the configured rate', async () => {
    const k = await setup({ rates: { line: 4 } });
    // Nine chunks of 500 at four a second: two seconds from the first send to the last.
    await seedUsers(k.store, Array.from({ length: 4_500 }, (_, i) => ({ id: lineId(i) })));
    k.startWorkers();
    const { record } = await create(k);
    await k.waitFor(record.id, undefined, 20_000);
    expectPaced(k.fakeLine.accepted().map((c) => c.at), 9, 4);
  });

  it('stays within the rate and sends everyone once when the channel has several workers', async () => {
    // 30 a second: ten slots (the LINE broadcaster's rate / 3), so two BullMQ workers on the
    // queue, sharing its limiter on Redis and the process's pacer.
    const k = await setup({ rates: { line: 30 } });
    await seedUsers(k.store, Array.from({ length: 20_000 }, (_, i) => ({ id: lineId(i) })));
    const workers = k.startWorkers();
    expect(workers.workers.filter((w) => w.name === 'broadcast-line')).toHaveLength(2);
    const { record } = await create(k);
    expect(await k.waitFor(record.id, undefined, 20_000)).toMatchObject({ status: 'done', sent: 20_000, failed: 0 });
    expectPaced(k.fakeLine.accepted().map((c) => c.at), 40, 30);
    expect(k.fakeLine.stats.doubleDeliveries).toBe(0);
    expect(k.fakeLine.deliveries.size).toBe(20_000);
  });

  it('counts a chunk LINE refuses (400) as failed and does not retry it', async () => {
    const k = await setup();
    await seedUsers(k.store, [{ id: lineId(1) }, { id: lineId(2) }]);
    k.fakeLine.failNext({ status: 400, body: { message: 'The request body has 1 error(s)' } });
    k.startWorkers();
    const { record } = await create(k);
    const done = await k.waitFor(record.id);
    expect(done).toMatchObject({ status: 'done', sent: 0, failed: 2 });
    expect(k.fakeLine.calls).toHaveLength(1);
    const metrics = await k.metrics.registry.metrics();
    expect(metrics).toContain('mendan_platform_api_errors_total{channel="line",code="400"} 1');
    expect(metrics).toContain('mendan_broadcast_messages_total{channel="line",result="failed"} 2');
  });

  it('skips users who opted out, blocked the bot or deleted their data after the freeze', async () => {
    const k = await setup();
    await seedUsers(k.store, [1, 2, 3, 4].map((n) => ({ id: lineId(n) })));
    const { record } = await create(k, { sendAt: new Date(Date.now() + 60_000).toISOString() });
    expect(record.status).toBe('scheduled');
    // Freeze as the start job would at send time, then three users change their minds.
    await freezeAudience({ broadcasts: k.broadcasts, clock: () => new Date(), fallbackLocale: 'ja', chunkSizes: k.chunkSizes }, record.id);
    await k.store.users.update({ channel: 'line', id: lineId(1) }, { optedOut: true });
    await k.store.users.update({ channel: 'line', id: lineId(2) }, { blocked: true });
    await k.store.deleteUser({ channel: 'line', id: lineId(3) });
    await k.queues.enqueueChunks(record.id, (await k.broadcasts.get(record.id))!.chunks!, new Set());
    k.startWorkers();
    const done = await k.waitFor(record.id);
    expect(done).toMatchObject({ status: 'done', total: 4, sent: 1, skipped: 3 });
    expect([...k.fakeLine.deliveries.keys()]).toEqual([lineId(4)]);
  });

  it('a chunk that reached LINE before a crash is sent again with the same key and counted once', async () => {
    const k = await setup();
    await seedUsers(k.store, [{ id: lineId(1) }, { id: lineId(2) }]);
    const { record } = await create(k, { sendAt: new Date(Date.now() + 60_000).toISOString() });
    const deps = { broadcasts: k.broadcasts, clock: () => new Date(), fallbackLocale: 'ja' as const, chunkSizes: k.chunkSizes };
    await freezeAudience(deps, record.id);
    const frozen = (await k.broadcasts.get(record.id))!;
    const chunk = (await k.broadcasts.readChunk(record.id, frozen.frozenRun!, 'line', 0))!;
    // The first attempt: LINE accepts, then the worker dies before counting.
    const first = await deliverChunk(
      { stillWanted: k.reader.stillWanted, broadcasters: { line: k.line } },
      { broadcastId: record.id, chunk, message: frozen.messages.ja, lastAttempt: false },
    );
    expect(first).toMatchObject({ sent: 2 });

    await k.queues.enqueueChunks(record.id, frozen.chunks!, await k.broadcasts.doneChunks(record.id));
    k.startWorkers();
    const done = await k.waitFor(record.id);
    expect(done).toMatchObject({ status: 'done', total: 2, sent: 2, chunksDone: 1 });
    expect(k.fakeLine.stats).toMatchObject({ accepted: 1, duplicates: 1, doubleDeliveries: 0 });
    expect(k.fakeLine.calls.map((c) => c.retryKey)).toEqual([multicastRetryKey(`broadcast:${record.id}:line:0`), multicastRetryKey(`broadcast:${record.id}:line:0`)]);

    // Enqueued once more (a restarted start job): already counted, so nothing is sent or counted.
    await k.queues.enqueueChunks(record.id, frozen.chunks!, new Set());
    await new Promise((r) => setTimeout(r, 300));
    expect(await k.broadcasts.get(record.id)).toMatchObject({ sent: 2, chunksDone: 1 });
    expect(k.fakeLine.calls).toHaveLength(2);
  });
});

describe('cancel', () => {
  it('sends nothing more once cancelled', async () => {
    const k = await setup({ rates: { line: 1 } });
    await seedUsers(k.store, Array.from({ length: 3_000 }, (_, i) => ({ id: lineId(i) })));
    k.startWorkers();
    const { record } = await create(k);
    await k.waitFor(record.id, (r) => r.sent > 0);
    const cancelled = await k.service.cancel(record.id, 'ken');
    expect(cancelled).toMatchObject({ changed: true, record: { status: 'cancelled', cancelledBy: 'ken' } });
    const callsAtCancel = k.fakeLine.calls.length;
    await new Promise((r) => setTimeout(r, 2_500));
    expect(k.fakeLine.calls.length).toBeLessThanOrEqual(callsAtCancel + 1);
    const after = await k.broadcasts.get(record.id);
    expect(after!.status).toBe('cancelled');
    expect(after!.sent).toBeLessThan(3_000);
    await expect(k.service.cancel(record.id, 'ken')).resolves.toMatchObject({ changed: false, record: { status: 'cancelled', cancelledBy: 'ken' } });
  });

  it('a scheduled broadcast cancelled before its time never starts', async () => {
    const k = await setup();
    await seedUsers(k.store, [{ id: lineId(1) }]);
    k.startWorkers();
    const { record } = await create(k, { sendAt: new Date(Date.now() + 400).toISOString() });
    await k.service.cancel(record.id, 'aiko');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await k.broadcasts.get(record.id)).toMatchObject({ status: 'cancelled' });
    expect(k.fakeLine.calls).toHaveLength(0);
  });
});

describe('freezing', () => {
  it('starts a scheduled broadcast at its time, with the audience of that moment', async () => {
    const k = await setup();
    await seedUsers(k.store, [{ id: lineId(1) }]);
    k.startWorkers();
    const { record } = await create(k, { sendAt: new Date(Date.now() + 700).toISOString() });
    expect(record).toMatchObject({ status: 'scheduled' });
    expect(record.total).toBeUndefined();
    await seedUsers(k.store, [{ id: lineId(2), locale: 'en' }]);
    const done = await k.waitFor(record.id);
    expect(done).toMatchObject({ status: 'done', total: 2, sent: 2 });
  });

  it('two freezes at once publish one consistent audience', async () => {
    const k = await setup();
    await seedUsers(k.store, Array.from({ length: 1_500 }, (_, i) => ({ id: lineId(i), locale: i % 2 ? ('en' as const) : ('ja' as const) })));
    const { record } = await create(k, { sendAt: new Date(Date.now() + 60_000).toISOString() });
    const deps = { broadcasts: k.broadcasts, clock: () => new Date(), fallbackLocale: 'ja' as const, chunkSizes: k.chunkSizes };
    const outcomes = await Promise.all([freezeAudience(deps, record.id), freezeAudience(deps, record.id)]);
    expect(outcomes.sort()).toEqual(['frozen', 'superseded']);
    await expectConsistentChunks(k, record.id, 1_500);
  });

  it('a freeze stopped half way goes on from its last step: its chunks stand, nobody is taken twice or left out', async () => {
    const k = await setup();
    await seedUsers(k.store, Array.from({ length: 2_600 }, (_, i) => ({ id: lineId(i) })));
    const { record } = await create(k, { sendAt: new Date(Date.now() + 60_000).toISOString() });
    const abort = new AbortController();
    const deps = { broadcasts: k.broadcasts, clock: () => new Date(), fallbackLocale: 'ja' as const, chunkSizes: k.chunkSizes, pageSize: 1_000 };
    // The freeze is stopped after its first page of users (about 1,000: two full chunks).
    const sent: number[] = [];
    const interrupted = freezeAudience(
      {
        ...deps,
        signal: abort.signal,
        onChunks: async (chunks) => {
          sent.push(...chunks.map((c) => c.n));
          abort.abort();
        },
      },
      record.id,
    );
    await expect(interrupted).rejects.toThrow();
    expect(await k.broadcasts.get(record.id)).toMatchObject({ status: 'freezing' });
    const committed = (await k.broadcasts.publishedChunks(record.id))!.line;
    expect(committed).toBeGreaterThanOrEqual(1);
    expect(sent).toEqual(Array.from({ length: committed }, (_, n) => n));
    const before = await Promise.all(sent.map((n) => k.broadcasts.readChunk(record.id, 1, 'line', n)));

    const resumed: number[] = [];
    expect(await freezeAudience({ ...deps, onChunks: async (chunks) => void resumed.push(...chunks.map((c) => c.n)) }, record.id)).toBe('frozen');
    // The second run sent only what the first had not: its chunks are numbered on.
    expect(resumed[0]).toBe(committed);
    expect(await Promise.all(sent.map((n) => k.broadcasts.readChunk(record.id, 1, 'line', n)))).toEqual(before);
    await expectConsistentChunks(k, record.id, 2_600);
    expect(await freezeAudience(deps, record.id)).toBe('skipped');
  });

  it('an empty audience finishes at once', async () => {
    const k = await setup();
    k.startWorkers();
    const { record } = await create(k);
    expect(record).toMatchObject({ status: 'done', total: 0 });
  });
});

describe('Slack DMs', () => {
  it('go out at the configured rate', async () => {
    const k = await setup({ slack: true, rates: { slack: 4 } });
    const people = Array.from({ length: 9 }, (_, i) => ({ channel: 'slack' as const, id: `U0P${i}` }));
    await seedUsers(k.store, people);
    const slack = k.fakeSlack!;
    k.startWorkers();
    const { record } = await create(k, { filter: { channels: ['slack'] } });
    // The Slack fake keeps no times: note when each post shows up.
    const times: number[] = [];
    const watch = setInterval(() => {
      while (times.length < slack.posted.length) times.push(Date.now());
    }, 5);
    try {
      expect(await k.waitFor(record.id, undefined, 20_000)).toMatchObject({ status: 'done', sent: 9 });
    } finally {
      clearInterval(watch);
    }
    while (times.length < slack.posted.length) times.push(Date.now());
    expectPaced(times, 9, 4);
  });

  it('sends one DM per user in their language, skips and marks users Slack cannot reach, honours Retry-After', async () => {
    const k = await setup({ slack: true, rates: { slack: 20 } });
    const people = [
      { channel: 'slack' as const, id: 'U0A', locale: 'ja' as const },
      { channel: 'slack' as const, id: 'U0B', locale: 'en' as const },
      { channel: 'slack' as const, id: 'U0C', locale: 'en' as const },
    ];
    await seedUsers(k.store, [...people, { channel: 'slack', id: 'U0OUT', optedOut: true }, { id: lineId(1) }]);
    const slack = k.fakeSlack!;
    slack.failNext('conversations.open', { status: 200, body: { ok: false, error: 'user_not_found' } });
    slack.failNext('chat.postMessage', { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': '2' } });
    k.startWorkers();
    const text = { ja: '日程の返信は当日中に', en: 'Reply to scheduling mails within a day' };
    const { record } = await create(k, { filter: { channels: ['slack'] }, source: { text } });
    const done = await k.waitFor(record.id);

    expect(done).toMatchObject({ status: 'done', total: 3, sent: 2, skipped: 1, failed: 0 });
    const records = await Promise.all(people.map((p) => k.store.users.get(p)));
    const gone = people.filter((_, i) => records[i]!.unreachable);
    expect(gone).toHaveLength(1);
    for (const person of people.filter((p) => p !== gone[0])) {
      expect(slack.posted.filter((m) => m.channel === dmOf(person.id)).map((m) => m.text)).toEqual([text[person.locale]]);
    }
    expect(slack.posted.some((m) => m.channel === dmOf('U0OUT'))).toBe(false);
    expect(k.slackSleeps).toContain(2_000);
    expect(k.fakeLine.calls).toHaveLength(0);
  });
});

/**
 * Sends at `rate` a second, as the platform saw them: unpaced, all would arrive within
 * milliseconds. A rolling second may hold one more than the rate (a send delayed by a busy
 * machine meeting the next one on time), and the whole run spreads over at least three
 * quarters of its (count - 1) / rate seconds; both hold however slow the machine is.
 */
function expectPaced(times: number[], count: number, rate: number): void {
  const sorted = [...times].sort((a, b) => a - b);
  expect(sorted).toHaveLength(count);
  const busiest = Math.max(...sorted.map((t) => sorted.filter((u) => u >= t && u < t + 1_000).length));
  expect(busiest).toBeLessThanOrEqual(rate + 1);
  expect(sorted.at(-1)! - sorted[0]!).toBeGreaterThanOrEqual((((count - 1) / rate) * 1_000 * 3) / 4);
}

async function expectConsistentChunks(k: BroadcastKit, id: string, expected: number): Promise<void> {
  const record = (await k.broadcasts.get(id))!;
  expect(record.status).toBe('sending');
  expect(record.total).toBe(expected);
  const ids: string[] = [];
  for (let n = 0; n < record.chunks!.line; n++) {
    const chunk = await k.broadcasts.readChunk(id, record.frozenRun!, 'line', n);
    expect(chunk!.ids.length).toBeLessThanOrEqual(500);
    ids.push(...chunk!.ids);
  }
  expect(ids).toHaveLength(expected);
  expect(new Set(ids).size).toBe(expected);
  // Nothing of an earlier run is left behind.
  const leftovers = await k.raw.redis.keys(`${k.raw.keys.broadcast(id)}:*`);
  expect(leftovers.sort()).toEqual([k.raw.keys.broadcastChunks(id, record.frozenRun!)]);
}
