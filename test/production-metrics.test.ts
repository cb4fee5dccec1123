/**
 * Health, readiness and metrics of the real runtime on real Redis, with LINE and Slack both
 * enabled and their APIs faked (nock). What an operator's Prometheus would scrape is read
 * back from `/metrics` as text.
 */
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { signLineBody } from '../src/channels/line/signature.ts';
import { loadConfig } from '../src/config.ts';
import { createMetrics } from '../src/observability/metrics.ts';
import { createRuntime, type Runtime } from '../src/runtime.ts';
import { silentLogger } from './support/conversation.ts';
import { ev, fakeLineApi, LINE_BASE, LINE_DATA_BASE, LINE_SECRET, LINE_TOKEN, webhookBody } from './support/line.ts';
import { sample } from './support/prometheus.ts';
import { deletePrefix, redisUrl, uniquePrefix } from './support/redis.ts';
import { dmEvent, eventBody, FakeSlack, signedRequest, slackEnv } from './support/slack.ts';

const prefix = uniquePrefix('production');
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
beforeAll(() => nock.disableNetConnect());
afterAll(async () => {
  nock.cleanAll();
  nock.enableNetConnect();
  await deletePrefix(prefix);
});

async function start(role: 'web' | 'worker' | 'all'): Promise<Runtime> {
  const config = loadConfig({
    ...slackEnv(),
    REDIS_URL: redisUrl(),
    REDIS_PREFIX: `${prefix}${role}:`,
    ROLE: role,
    LINE_CHANNEL_SECRET: LINE_SECRET,
    LINE_CHANNEL_ACCESS_TOKEN: LINE_TOKEN,
    LINE_API_BASE_URL: LINE_BASE,
    LINE_DATA_API_BASE_URL: LINE_DATA_BASE,
  });
  const runtime = await createRuntime({ config, logger: silentLogger, metrics: createMetrics() });
  cleanups.push(() => runtime.stop());
  await vi.waitUntil(async () => (await runtime.app.inject('/readyz')).statusCode === 200, { timeout: 8000, interval: 25 });
  return runtime;
}


function postLine(runtime: Runtime, events: unknown[], signature?: string) {
  const payload = webhookBody(events);
  return runtime.app.inject({
    method: 'POST',
    url: '/webhooks/line',
    payload,
    headers: { 'content-type': 'application/json', 'x-line-signature': signature ?? signLineBody(payload, LINE_SECRET) },
  });
}

function postSlack(runtime: Runtime, body: string, headers: Record<string, string> = {}) {
  const request = signedRequest(body, { now: new Date(), headers });
  return runtime.app.inject({ method: 'POST', url: '/webhooks/slack', payload: request.payload as string, headers: request.headers as Record<string, string> });
}

async function scrape(runtime: Runtime): Promise<string> {
  const response = await runtime.app.inject('/metrics');
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.body;
}

describe('health and readiness', () => {
  it('says alive on /healthz and ready on /readyz with Redis and, where a worker runs, the worker', async () => {
    const web = await start('web');
    expect((await web.app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    expect((await web.app.inject('/readyz')).json()).toEqual({ status: 'ready', checks: { redis: true } });

    const worker = await start('worker');
    expect((await worker.app.inject('/readyz')).json()).toEqual({ status: 'ready', checks: { redis: true, reminderWorker: true, broadcastWorkers: true, handoffWorker: true } });
    // A worker that stopped (crashed loop, closed) makes the process unready, not silently idle.
    await worker.worker!.close();
    const unready = await worker.app.inject('/readyz');
    expect(unready.statusCode).toBe(503);
    expect(unready.json()).toEqual({ status: 'unavailable', checks: { redis: true, reminderWorker: false, broadcastWorkers: true, handoffWorker: true } });
    await worker.handoffs.worker()!.close();
    expect((await worker.app.inject('/readyz')).json()).toMatchObject({ checks: { handoffWorker: false } });
    expect((await worker.app.inject('/healthz')).statusCode).toBe(200);
  });
});

describe('/metrics', () => {
  it('counts webhook requests by channel and status, with their latency', async () => {
    fakeLineApi();
    const fakeSlack = new FakeSlack();
    cleanups.push(async () => FakeSlack.cleanup());
    const runtime = await start('all');

    expect((await postLine(runtime, [ev.text('U-m1', 'こんにちは')])).statusCode).toBe(200);
    expect((await postLine(runtime, [ev.text('U-m2', 'こんにちは')])).statusCode).toBe(200);
    expect((await postLine(runtime, [ev.text('U-m1', 'はい')], 'bm90LXRoZS1zaWduYXR1cmU=')).statusCode).toBe(401);
    expect((await postSlack(runtime, eventBody(dmEvent('U0METRICS', 'こんにちは')))).statusCode).toBe(200);
    // Probes and 404s are not webhooks.
    await runtime.app.inject('/healthz');
    await runtime.app.inject('/webhooks/nowhere');

    const text = await scrape(runtime);
    expect(text).toContain('# TYPE mendan_webhook_requests_total counter');
    expect(sample(text, 'mendan_webhook_requests_total', { channel: 'line', status: '200' })).toBe(2);
    expect(sample(text, 'mendan_webhook_requests_total', { channel: 'line', status: '401' })).toBe(1);
    expect(sample(text, 'mendan_webhook_requests_total', { channel: 'slack', status: '200' })).toBe(1);
    expect(text).not.toMatch(/mendan_webhook_requests_total\{[^}]*channel="(nowhere|healthz)"/);
    expect(sample(text, 'mendan_webhook_duration_seconds_count', { channel: 'line', status: '200' })).toBe(2);
    const within = sample(text, 'mendan_webhook_duration_seconds_bucket', { channel: 'line', status: '200', le: '2.5' });
    expect(within).toBe(2);
    await vi.waitUntil(() => fakeSlack.methods().includes('chat.postMessage'), { timeout: 8000, interval: 25 });
  });

  it('counts events processed and redeliveries dropped, on LINE and on Slack', async () => {
    fakeLineApi();
    new FakeSlack();
    cleanups.push(async () => FakeSlack.cleanup());
    const runtime = await start('all');

    const event = ev.text('U-dup', 'こんにちは');
    await postLine(runtime, [event, ev.text('U-dup2', 'こんにちは')]);
    await postLine(runtime, [{ ...event, deliveryContext: { isRedelivery: true } }]);
    const slackEvent = eventBody(dmEvent('U0DUP', 'こんにちは'), 'EvMetricsDup');
    await postSlack(runtime, slackEvent);
    await postSlack(runtime, slackEvent, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' });

    // Workers take the events from the inbox after the 200; an event counts once its work is saved.
    await vi.waitUntil(async () => sample(await scrape(runtime), 'mendan_events_processed_total', { channel: 'slack' }) === 1, { timeout: 8000, interval: 25 });
    await vi.waitUntil(async () => sample(await scrape(runtime), 'mendan_events_processed_total', { channel: 'line' }) === 2, { timeout: 8000, interval: 25 });
    const text = await scrape(runtime);
    expect(sample(text, 'mendan_events_processed_total', { channel: 'line' })).toBe(2);
    expect(sample(text, 'mendan_events_duplicate_total', { channel: 'line' })).toBe(1);
    expect(sample(text, 'mendan_events_duplicate_total', { channel: 'slack' })).toBe(1);
  });

  it('counts platform API errors by code, each failed attempt', async () => {
    const line = fakeLineApi();
    let refusals = 0;
    line.state.respond = (call) => (call.path === 'reply' && refusals++ === 0 ? [429, { message: 'Too Many Requests' }, { 'retry-after': '0' }] : undefined);
    const slack = new FakeSlack();
    cleanups.push(async () => FakeSlack.cleanup());
    slack.failNext('chat.postMessage', { status: 200, body: { ok: false, error: 'channel_not_found' } });
    const runtime = await start('all');

    await postLine(runtime, [ev.text('U-err', 'こんにちは')]);
    await vi.waitUntil(() => line.replies().length === 2, { timeout: 8000, interval: 25 });
    await postSlack(runtime, eventBody(dmEvent('U0ERR', 'こんにちは')));
    await vi.waitUntil(async () => sample(await scrape(runtime), 'mendan_platform_api_errors_total', { channel: 'slack' }) !== undefined, { timeout: 8000, interval: 25 });

    const text = await scrape(runtime);
    expect(sample(text, 'mendan_platform_api_errors_total', { channel: 'line', code: '429' })).toBe(1);
    expect(sample(text, 'mendan_platform_api_errors_total', { channel: 'slack', code: 'channel_not_found' })).toBe(1);
  });
});
