/**
 * Redis goes away and comes back while the bot runs: the real runtime (web and worker in one
 * process) on a redis-server of its own, which the test kills with SIGKILL and starts again
 * on the same port. LINE is faked with nock; Redis is real throughout.
 */
import { Writable } from 'node:stream';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { signLineBody } from '../src/channels/line/signature.ts';
import { loadConfig } from '../src/config.ts';
import type { UserRef } from '../src/conversation/types.ts';
import { createLogger } from '../src/observability/logger.ts';
import { createMetrics } from '../src/observability/metrics.ts';
import { createRuntime, type Runtime } from '../src/runtime.ts';
import { giveMeeting } from './support/conversation.ts';
import { ev, fakeLineApi, LINE_BASE, LINE_DATA_BASE, LINE_SECRET, LINE_TOKEN, webhookBody } from './support/line.ts';
import { sample } from './support/prometheus.ts';
import { startRedisServer, type RedisServer } from './support/redis-server.ts';

// Thursday 2026-12-03, 11:59:57 in Tokyo: a 14:00 meeting's "two hours before" is due in 3 s.
const JUST_BEFORE = Date.parse('2026-12-03T11:59:57+09:00');

let server: RedisServer;
let runtime: Runtime;
let api: ReturnType<typeof fakeLineApi>;
const logs: { level: number; msg: string; connection?: string }[] = [];
/** Real time, moved by `offset`: the test sets "now" just before a reminder is due. */
const clock = { offset: 0, read: () => new Date(Date.now() + clock.offset) };

beforeAll(async () => {
  nock.disableNetConnect();
  api = fakeLineApi();
  server = await startRedisServer();
  const logger = createLogger({
    level: 'info',
    destination: new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) logs.push(JSON.parse(line));
        done();
      },
    }),
  });
  const config = loadConfig({
    REDIS_URL: server.url,
    REDIS_PREFIX: 'outage:',
    ROLE: 'all',
    LOG_LEVEL: 'info',
    LINE_CHANNEL_SECRET: LINE_SECRET,
    LINE_CHANNEL_ACCESS_TOKEN: LINE_TOKEN,
    LINE_API_BASE_URL: LINE_BASE,
    LINE_DATA_API_BASE_URL: LINE_DATA_BASE,
  });
  runtime = await createRuntime({ config, logger, clock: clock.read, metrics: createMetrics() });
  await vi.waitUntil(async () => (await readyz()).statusCode === 200, { timeout: 15_000, interval: 50 });
}, 30_000);

afterAll(async () => {
  // A failed assertion may leave Redis down; the runtime needs it to close cleanly.
  if (server && !server.running) await server.restart();
  await runtime?.stop();
  await server?.stop();
  nock.cleanAll();
  nock.enableNetConnect();
});

function post(events: unknown[]) {
  const payload = webhookBody(events);
  return runtime.app.inject({
    method: 'POST',
    url: '/webhooks/line',
    payload,
    headers: { 'content-type': 'application/json', 'x-line-signature': signLineBody(payload, LINE_SECRET) },
  });
}

function readyz() {
  return runtime.app.inject({ method: 'GET', url: '/readyz' });
}

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = Date.now();
  const result = await work();
  return { result, ms: Date.now() - started };
}


async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
  return sample(await runtime.metrics.registry.metrics(), name, labels) ?? 0;
}


describe('a Redis outage', () => {
  it('turns webhooks and readiness to 503 quickly, and everything recovers when Redis is back, without a restart', async () => {
    // Healthy: a message is answered.
    expect((await post([ev.text('U-outage-1', 'こんにちは')])).statusCode).toBe(200);
    await vi.waitUntil(() => api.replies().length === 1, { timeout: 15_000, interval: 50 });

    await server.kill();

    // Webhooks are refused so LINE redelivers, and the probe says not ready, both quickly.
    const first = await timed(() => post([ev.text('U-outage-1', 'はい')]));
    expect(first.result.statusCode).toBe(503);
    expect(first.ms).toBeLessThan(2_000);
    const probe = await timed(readyz);
    expect(probe.result.statusCode).toBe(503);
    expect(probe.result.json()).toMatchObject({ status: 'unavailable', checks: { redis: false } });
    expect(probe.ms).toBeLessThan(1_500);

    // Longer into the outage ioredis waits seconds between reconnection attempts; a webhook
    // must not wait for them.
    await new Promise((r) => setTimeout(r, 3_000));
    const later = await timed(() => post([ev.text('U-outage-2', 'こんにちは')]));
    expect(later.result.statusCode).toBe(503);
    expect(later.ms).toBeLessThan(300);
    expect(later.result.headers['retry-after']).toBeDefined();
    expect(await metric('mendan_webhook_requests_total', { channel: 'line', status: '503' })).toBeGreaterThanOrEqual(2);
    expect(api.replies()).toHaveLength(1);

    await server.restart();

    await vi.waitUntil(async () => (await readyz()).statusCode === 200, { timeout: 20_000, interval: 50 });
    expect((await readyz()).json()).toEqual({ status: 'ready', checks: { redis: true, reminderWorker: true, broadcastWorkers: true, handoffWorker: true } });
    // Webhooks work again (Redis restarted empty, so this user starts afresh).
    expect((await post([ev.text('U-outage-2', 'こんにちは')])).statusCode).toBe(200);
    await vi.waitUntil(() => api.replies().length === 2, { timeout: 15_000, interval: 50 });

    // And the reminder worker picks up jobs again: a reminder due in 3 s is pushed.
    clock.offset = JUST_BEFORE - Date.now();
    const user: UserRef = { channel: 'line', id: 'U-outage-reminder' };
    await giveMeeting(runtime.conversations, user, '12/3 14:00');
    await vi.waitUntil(() => api.pushes().some((p) => p.body.to === user.id), { timeout: 20_000, interval: 50 });
    // The job counts once BullMQ has marked it completed, a moment after the push.
    await vi.waitUntil(async () => (await metric('mendan_reminders_total', { kind: 'before', outcome: 'sent' })) === 1, { timeout: 15_000, interval: 50 });
    expect(await metric('mendan_reminder_lateness_seconds_count')).toBe(1);

    // The outage is in the log once for the process, not once per connection or reconnection attempt.
    expect(logs.filter((l) => l.msg.startsWith('redis connection lost'))).toHaveLength(1);
    expect(logs.filter((l) => l.msg === 'redis connection back')).toHaveLength(1);
  }, 60_000);
});
