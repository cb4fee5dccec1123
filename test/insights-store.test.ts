/** The insights counters, on Redis and in memory: one suite, the same behaviour. */
import { afterAll, describe, expect, it } from 'vitest';
import { redisKeys } from '../src/store/keys.ts';
import { MemoryStore } from '../src/store/memory-store.ts';
import type { InsightsCounters } from '../src/store/insights.ts';
import type { RedisStore } from '../src/store/redis-store.ts';
import { createRedisStore, deletePrefix, rawRedis, uniquePrefix } from './support/redis.ts';

const prefix = uniquePrefix('insights-store');
const raw = rawRedis(prefix);
const stores: RedisStore[] = [];
let n = 0;
/** A Redis store under its own prefix, and the key names there. */
const fresh = () => {
  const own = `${prefix}${++n}:`;
  const store = createRedisStore(own);
  stores.push(store);
  return { counters: store.insights, keys: redisKeys(own) };
};

afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await raw.redis.quit();
  await deletePrefix(prefix);
});

const implementations: [string, () => InsightsCounters][] = [
  ['memory', () => new MemoryStore({ sessionTtlSeconds: 60 }).insights],
  ['redis', () => fresh().counters],
];
const optOutAt = (channel: string, at: string) => ({ attributeOptOut: { channel, at: new Date(at), fieldPrefix: 'broadcast.', fieldSuffix: '.optOuts' } });

describe.each(implementations)('insights counters (%s)', (_name, make) => {
  it('adds to the day asked and reads days back in order, empty where nothing was counted', async () => {
    const counters = make();
    await counters.add('2026-12-01', { a: 2, b: 1 });
    await counters.add('2026-12-01', { a: 3, zero: 0 });
    await counters.add('2026-12-03', { b: 7 });
    expect(await counters.read(['2026-12-01', '2026-12-02', '2026-12-03'])).toEqual([{ a: 5, b: 1 }, {}, { b: 7 }]);
    expect(await counters.read([])).toEqual([]);
  });

  it('counts an opt-out against each broadcast sent on the user’s channel in the 24 hours before it', async () => {
    const counters = make();
    const remember = (id: string, channels: string[], at: string) => counters.add('2026-12-01', { [`broadcast.${id}.recipients`]: 10 }, { rememberBroadcast: { id, channels, at: new Date(at) } });
    await remember('old', ['line'], '2026-11-29T23:00:00Z');
    await remember('both', ['line', 'slack'], '2026-12-01T01:00:00Z');
    await remember('slack-only', ['slack'], '2026-12-01T02:00:00Z');

    await counters.add('2026-12-01', { 'user.optedOut.line.ja': 1 }, optOutAt('line', '2026-12-01T03:00:00Z'));
    await counters.add('2026-12-02', { 'user.optedOut.slack.en': 1 }, optOutAt('slack', '2026-12-02T01:30:00Z'));
    // 'both' is more than a day old by now.
    await counters.add('2026-12-02', {}, optOutAt('line', '2026-12-02T02:00:00Z'));
    const [first, second] = await counters.read(['2026-12-01', '2026-12-02']);
    expect(first).toEqual({
      'broadcast.old.recipients': 10,
      'broadcast.both.recipients': 10,
      'broadcast.slack-only.recipients': 10,
      'user.optedOut.line.ja': 1,
      'broadcast.both.optOuts': 1,
    });
    expect(second).toEqual({ 'user.optedOut.slack.en': 1, 'broadcast.slack-only.optOuts': 1 });
  });
});

describe('insights counters on Redis', () => {
  it('keeps a day 400 days and holds nothing but the counters', async () => {
    const { counters, keys } = fresh();
    await counters.add('2026-12-01', { 'verdict.offer_meeting': 1 });
    const ttl = await raw.redis.ttl(keys.insightsDay('2026-12-01'));
    expect(ttl).toBeGreaterThan(399 * 86_400);
    expect(ttl).toBeLessThanOrEqual(400 * 86_400);
    expect(await raw.redis.hgetall(keys.insightsDay('2026-12-01'))).toEqual({ 'verdict.offer_meeting': '1' });
  });

  it('adds in one round trip (one command on the wire)', async () => {
    const { counters } = fresh();
    const monitor = await raw.redis.monitor();
    const seen: string[] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args.some((a) => a.includes(prefix))) seen.push(String(args[0]).toLowerCase());
    });
    await counters.add('2026-12-05', { a: 1, b: 2, c: 3 });
    await new Promise((r) => setTimeout(r, 50));
    await monitor.disconnect();
    // The script's own HINCRBYs run inside Redis; the client sends one EVALSHA (or EVAL the first time).
    expect(seen.filter((c) => c === 'evalsha' || c === 'eval')).toHaveLength(1);
    expect(seen.filter((c) => c !== 'evalsha' && c !== 'eval' && c !== 'hincrby' && c !== 'exists' && c !== 'expire')).toEqual([]);
  });
});
