/**
 * Slack through the inbox with real processes (the runtime with ROLE=web / ROLE=worker) on
 * real Redis, Slack faked on loopback (Web API and Socket Mode), and kill -9: a worker that
 * dies while posting an answer is replaced, the conversation stepped once and the answer
 * posted once; over Socket Mode, an envelope acknowledged by a process that then dies is
 * still answered.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FakePlatforms } from './support/fake-platforms-server.ts';
import { FakeSocketMode } from './support/fake-slack-socket.ts';
import { createRedisStore, deletePrefix, redisUrl, uniquePrefix } from './support/redis.ts';
import { kill9, startRuntimeProcess, type RuntimeProcess } from './support/runtime-process.ts';
import { BOT_TOKEN, dmEvent, dmOf, eventBody, sign, SIGNING_SECRET } from './support/slack.ts';

const platforms = new FakePlatforms();
let socket: FakeSocketMode;
const children: ChildProcess[] = [];
const prefixes: string[] = [];
beforeAll(async () => {
  await platforms.start();
  socket = new FakeSocketMode(`${platforms.url}/api/`);
  await socket.start();
});
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  socket.dropHeld();
});
afterAll(async () => {
  await socket.stop();
  await platforms.stop();
  for (const prefix of prefixes) await deletePrefix(prefix);
});

type Transport = 'http' | 'socket';

/** One deployment's processes on a Redis prefix of their own; Socket Mode when `transport` says so. */
function slackDeployment(transport: Transport) {
  const prefix = uniquePrefix('slack-crash');
  prefixes.push(prefix);
  const store = createRedisStore(prefix);
  const start = (role: 'web' | 'worker') =>
    startRuntimeProcess(
      role,
      {
        REDIS_URL: redisUrl(),
        REDIS_PREFIX: prefix,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_API_URL: socket.apiUrl,
        ...(transport === 'socket' ? { SLACK_APP_TOKEN: 'xapp-test' } : {}),
        INBOX_LEASE_MS: '1000',
      },
      children,
    );
  /** A DM from `user`, the way this deployment hears from Slack. */
  const say = async (web: RuntimeProcess, user: string, text: string): Promise<void> => {
    const body = eventBody(dmEvent(user, text));
    if (transport === 'socket') {
      const envelope = socket.deliver('events_api', JSON.parse(body) as Record<string, unknown>);
      await vi.waitUntil(() => socket.acked(envelope) > 0, { timeout: 10_000, interval: 10 });
      return;
    }
    const timestamp = Math.floor(Date.now() / 1000);
    const response = await fetch(`http://127.0.0.1:${web.port}/webhooks/slack`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': sign(body, timestamp) },
      body,
    });
    expect(response.status).toBe(200);
  };
  return { store, start, say };
}

let users = 0;
const newUser = () => `U${Date.now().toString(36).toUpperCase()}X${++users}`;
const answersTo = (user: string) => platforms.answers.filter((a) => a.to === dmOf(user)).map((a) => a.texts.join('\n'));
const settle = () => new Promise((r) => setTimeout(r, 1500));

describe.each<Transport>(['http', 'socket'])('Slack over %s, kill -9', (transport) => {
  it('a worker while it posts an answer: another worker posts it, once, and the conversation stepped once', async () => {
    const d = slackDeployment(transport);
    const web = await d.start('web');
    const doomed = await d.start('worker');
    const user = newUser();
    socket.holdPosts();
    await d.say(web, user, 'こんにちは');
    // The step is saved and its answer on its way to Slack: the worker is inside the event.
    await vi.waitUntil(() => socket.heldPosts > 0, { timeout: 15_000, interval: 10 });
    await kill9(doomed);
    socket.dropHeld();
    expect(answersTo(user)).toEqual([]);
    expect((await d.store.sessions.get({ channel: 'slack', id: user }))?.version).toBe(1);

    await d.start('worker');
    // Someone whose first message nobody interrupted: what a whole first answer looks like.
    const control = newUser();
    await d.say(web, control, 'こんにちは');
    await vi.waitUntil(() => answersTo(user).length > 0 && answersTo(control).length > 0, { timeout: 20_000, interval: 25 });
    await settle();
    expect(answersTo(user)).toEqual(answersTo(control));
    expect((await d.store.sessions.get({ channel: 'slack', id: user }))?.version).toBe(1);
    await d.store.close();
  }, 60_000);

  it('the web process right after Slack had its acknowledgement: a worker started later answers, once', async () => {
    const d = slackDeployment(transport);
    const web = await d.start('web');
    const user = newUser();
    await d.say(web, user, 'こんにちは');
    await kill9(web);
    await d.start('worker');
    await vi.waitUntil(() => answersTo(user).length > 0, { timeout: 20_000, interval: 25 });
    await settle();
    expect(new Set(answersTo(user)).size).toBe(answersTo(user).length);
    expect((await d.store.sessions.get({ channel: 'slack', id: user }))?.version).toBe(1);
    await d.store.close();
  }, 60_000);
});
