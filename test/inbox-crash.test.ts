/**
 * The inbox with real processes (the runtime started with ROLE=web / ROLE=worker) on real
 * Redis, LINE and Slack faked on a loopback port, and kill -9: an event answered 200 is
 * never lost, a worker dying mid-event is replaced and the user hears one answer, three
 * workers keep 100 users in order, and a full inbox pushes back with 503 + Retry-After.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { signLineBody } from '../src/channels/line/signature.ts';
import { inboxSettings } from '../src/inbox/settings.ts';
import { FakePlatforms } from './support/fake-platforms-server.ts';
import { ev, LINE_SECRET, LINE_TOKEN, uid, webhookBody } from './support/line.ts';
import { createRedisStore, deletePrefix, redisUrl, uniquePrefix } from './support/redis.ts';
import { kill9, startRuntimeProcess, type RuntimeProcess } from './support/runtime-process.ts';
import { BOT_TOKEN, dmEvent, eventBody, sign, SIGNING_SECRET } from './support/slack.ts';

const fake = new FakePlatforms();
const children: ChildProcess[] = [];
const prefixes: string[] = [];
beforeAll(() => fake.start());
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});
afterAll(async () => {
  await fake.stop();
  for (const prefix of prefixes) await deletePrefix(prefix);
});

type Running = RuntimeProcess;

function deployment(env: Record<string, string> = {}) {
  const prefix = uniquePrefix('inbox-crash');
  prefixes.push(prefix);
  const store = createRedisStore(prefix);
  const start = (role: 'web' | 'worker'): Promise<Running> =>
    startRuntimeProcess(
      role,
      {
        REDIS_URL: redisUrl(),
        REDIS_PREFIX: prefix,
        LINE_CHANNEL_SECRET: LINE_SECRET,
        LINE_CHANNEL_ACCESS_TOKEN: LINE_TOKEN,
        LINE_API_BASE_URL: fake.url,
        LINE_DATA_API_BASE_URL: fake.url,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_API_URL: `${fake.url}/api/`,
        INBOX_LEASE_MS: '1000',
        ...env,
      },
      children,
    );
  return { prefix, store, start };
}

async function postLine(web: Running, events: unknown[]): Promise<Response> {
  const body = webhookBody(events);
  return fetch(`http://127.0.0.1:${web.port}/webhooks/line`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-line-signature': signLineBody(body, LINE_SECRET) },
    body,
  });
}

async function postSlack(web: Running, body: string): Promise<Response> {
  const timestamp = Math.floor(Date.now() / 1000);
  return fetch(`http://127.0.0.1:${web.port}/webhooks/slack`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': sign(body, timestamp) },
    body,
  });
}

const answersTo = (to: string) => fake.answers.filter((a) => a.to === to);
const settle = () => new Promise((r) => setTimeout(r, 1500));

/** The user's one event was stepped once and answered once, by its reply token (never also by push). */
async function expectOneAnswer(d: ReturnType<typeof deployment>, user: string): Promise<void> {
  await vi.waitUntil(() => answersTo(`rt-${user}`).length > 0, { timeout: 15_000, interval: 25 });
  await settle();
  expect(answersTo(`rt-${user}`)).toHaveLength(1);
  expect(answersTo(user)).toEqual([]);
  expect((await d.store.sessions.get({ channel: 'line', id: user }))?.version).toBe(1);
  await d.store.close();
}

describe('kill -9', () => {
  it('the web process right after its 200: a worker started later still answers, once', async () => {
    const d = deployment();
    const web = await d.start('web');
    const user = uid('webkill');
    expect((await postLine(web, [ev.text(user, 'こんにちは', { replyToken: `rt-${user}` })])).status).toBe(200);
    await kill9(web);
    await d.start('worker');
    await expectOneAnswer(d, user);
  }, 60_000);

  it('a worker in the middle of an event: another worker finishes it and the user gets one answer', async () => {
    const d = deployment();
    const web = await d.start('web');
    const doomed = await d.start('worker');
    const user = uid('workerkill');
    fake.holdProfiles();
    const before = fake.profileRequests;
    expect((await postLine(web, [ev.follow(user, { replyToken: `rt-${user}` })])).status).toBe(200);
    // The follow waits for the user's profile: the worker is inside the event now.
    await vi.waitUntil(() => fake.profileRequests > before, { timeout: 10_000, interval: 5 });
    await kill9(doomed);
    fake.releaseProfiles();
    expect(answersTo(`rt-${user}`)).toEqual([]);
    await d.start('worker');
    await expectOneAnswer(d, user);
  }, 60_000);

  it('Slack: the web process right after its 200 (the old ack-then-work loss window is closed)', async () => {
    const d = deployment();
    const web = await d.start('web');
    const user = `U${uid('slack').slice(1).toUpperCase()}`;
    expect((await postSlack(web, eventBody(dmEvent(user, 'こんにちは')))).status).toBe(200);
    await kill9(web);
    await d.start('worker');
    await vi.waitUntil(async () => (await d.store.sessions.get({ channel: 'slack', id: user })) !== undefined, { timeout: 15_000, interval: 25 });
    await settle();
    expect(answersTo(`D${user}`).length).toBeGreaterThan(0);
    expect((await d.store.sessions.get({ channel: 'slack', id: user }))?.version).toBe(1);
    await d.store.close();
  }, 60_000);
});

describe('scale and back-pressure', () => {
  it('three workers, 100 users with interleaved events: each user in order, none lost, none doubled', async () => {
    // Leases of a few seconds: on a loaded machine a shorter one can lapse under a busy worker.
    const d = deployment({ INBOX_PARTITIONS: '8', INBOX_LEASE_MS: '4000' });
    const web = await d.start('web');
    await Promise.all([d.start('worker'), d.start('worker'), d.start('worker')]);
    const users = Array.from({ length: 100 }, (_, i) => uid(`many${i}x`));
    const script = (user: string, step: number) =>
      [ev.text(user, 'こんにちは', { replyToken: `rt-${user}-0` }), ev.choice(user, 'offer_notified', 'no', { replyToken: `rt-${user}-1` }), ev.choice(user, 'contact_from', 'hr', { replyToken: `rt-${user}-2` })][step]!;
    for (let step = 0; step < 3; step++) {
      // Ten users to a webhook, every user's next event before anyone's after it.
      for (let i = 0; i < users.length; i += 10) {
        expect((await postLine(web, users.slice(i, i + 10).map((u) => script(u, step)))).status).toBe(200);
      }
    }
    await vi.waitUntil(() => users.every((u) => answersTo(`rt-${u}-2`).length > 0), { timeout: 60_000, interval: 50 });
    await settle();
    for (const user of users) {
      const session = await d.store.sessions.get({ channel: 'line', id: user });
      expect(session?.version, user).toBe(3);
      expect(session?.value.answers, user).toEqual({ offer_notified: 'no', contact_from: 'hr' });
      for (let step = 0; step < 3; step++) expect(answersTo(`rt-${user}-${step}`), `${user} ${step}`).toHaveLength(1);
      expect(answersTo(user), user).toEqual([]);
    }
    await d.store.close();
  }, 120_000);

  it('an inbox over its depth answers 503 with Retry-After, and drops nothing it accepted', async () => {
    const d = deployment({ INBOX_PARTITIONS: '1', INBOX_MAX_DEPTH: '10' });
    const web = await d.start('web');
    const users = Array.from({ length: 11 }, (_, i) => uid(`deep${i}x`));
    for (const user of users.slice(0, 10)) expect((await postLine(web, [ev.text(user, 'こんにちは', { replyToken: `rt-${user}` })])).status).toBe(200);
    const last = users[10]!;
    const event = ev.text(last, 'こんにちは', { replyToken: `rt-${last}` });
    const refused = await postLine(web, [event]);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');

    await d.start('worker');
    await vi.waitUntil(() => users.slice(0, 10).every((u) => answersTo(`rt-${u}`).length > 0), { timeout: 15_000, interval: 25 });
    // An entry leaves the inbox when its batch is acknowledged, just after its answer went out.
    const inbox = d.store.inbox(inboxSettings({ INBOX_PARTITIONS: 1, INBOX_MAX_DEPTH: 10 }));
    await vi.waitUntil(async () => (await inbox.depth()) === 0, { timeout: 15_000, interval: 25 });
    // LINE's redelivery, once there is room.
    expect((await postLine(web, [{ ...event, deliveryContext: { isRedelivery: true } }])).status).toBe(200);
    await vi.waitUntil(() => answersTo(`rt-${last}`).length > 0, { timeout: 15_000, interval: 25 });
    await settle();
    for (const user of users) expect(answersTo(`rt-${user}`), user).toHaveLength(1);
    await d.store.close();
  }, 60_000);
});
