/**
 * The webhook benchmark is only worth its figures if what it sends is real work: correctly
 * signed, never taken for a redelivery, and walking users through the whole diagnosis (so a
 * request costs what a user's tap costs). Checked here against the real runtime, cheaply.
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config.ts';
import type { UserRef } from '../src/conversation/types.ts';
import { createMetrics } from '../src/observability/metrics.ts';
import { createRuntime, type Runtime } from '../src/runtime.ts';
import { lineRequests, slackRequests, type SignedRequest } from '../bench/support/webhook-requests.ts';
import { silentLogger } from './support/conversation.ts';
import { fakeLineApi, LINE_BASE, LINE_DATA_BASE, LINE_SECRET, LINE_TOKEN } from './support/line.ts';
import { sample } from './support/prometheus.ts';
import { deletePrefix, redisUrl, uniquePrefix } from './support/redis.ts';
import { FakeSlack, SIGNING_SECRET, slackEnv } from './support/slack.ts';

const prefix = uniquePrefix('bench-requests');
let runtime: Runtime;

beforeAll(async () => {
  nock.disableNetConnect();
  fakeLineApi();
  new FakeSlack();
  const config = loadConfig({
    ...slackEnv(),
    REDIS_URL: redisUrl(),
    REDIS_PREFIX: prefix,
    ROLE: 'all',
    LINE_CHANNEL_SECRET: LINE_SECRET,
    LINE_CHANNEL_ACCESS_TOKEN: LINE_TOKEN,
    LINE_API_BASE_URL: LINE_BASE,
    LINE_DATA_API_BASE_URL: LINE_DATA_BASE,
  });
  runtime = await createRuntime({ config, logger: silentLogger, metrics: createMetrics() });
  await vi.waitUntil(async () => (await runtime.app.inject('/readyz')).statusCode === 200, { timeout: 8000, interval: 25 });
});

afterAll(async () => {
  await runtime.stop();
  FakeSlack.cleanup();
  nock.cleanAll();
  nock.enableNetConnect();
  await deletePrefix(prefix);
});

const SCRIPT_LENGTH = 9;

async function send(next: () => SignedRequest, count: number): Promise<{ statuses: number[]; users: Set<string> }> {
  const statuses: number[] = [];
  const users = new Set<string>();
  for (let i = 0; i < count; i++) {
    const request = next();
    const body = JSON.parse(request.body) as { events?: { source: { userId: string } }[]; event?: { user: string } };
    users.add(body.events?.[0]?.source.userId ?? body.event!.user);
    const response = await runtime.app.inject({ method: request.method, url: request.path, headers: request.headers, payload: request.body });
    statuses.push(response.statusCode);
  }
  return { statuses, users };
}


async function expectWalkedToReminders(channel: 'line' | 'slack', users: Set<string>): Promise<void> {
  for (const id of users) {
    const user: UserRef = { channel, id };
    // The walk gave a meeting date, so reminders were planned and scheduled.
    expect((await runtime.scheduler.list(user)).length, `${channel} user ${id}`).toBeGreaterThan(0);
  }
}

describe('benchmark webhook requests', () => {
  it('LINE: every request is accepted and processed as a new event, and users reach their reminders', async () => {
    const { statuses, users } = await send(lineRequests(LINE_SECRET, 2), 2 * (SCRIPT_LENGTH - 1));
    expect(new Set(statuses)).toEqual(new Set([200]));
    // The worker takes the events from the inbox after the 200.
    await runtime.inboxWorker!.settled();
    const text = await runtime.metrics.registry.metrics();
    expect(sample(text, 'mendan_events_processed_total', { channel: 'line' })).toBe(2 * (SCRIPT_LENGTH - 1));
    expect(sample(text, 'mendan_events_duplicate_total', { channel: 'line' })).toBeUndefined();
    await expectWalkedToReminders('line', users);
  });

  it('Slack: the same for signed DM events', async () => {
    const { statuses, users } = await send(slackRequests(SIGNING_SECRET, 2), 2 * (SCRIPT_LENGTH - 1));
    expect(new Set(statuses)).toEqual(new Set([200]));
    const processed = async () => sample(await runtime.metrics.registry.metrics(), 'mendan_events_processed_total', { channel: 'slack' });
    await vi.waitUntil(async () => (await processed()) === 2 * (SCRIPT_LENGTH - 1), { timeout: 8000, interval: 25 });
    await expectWalkedToReminders('slack', users);
  });
});
