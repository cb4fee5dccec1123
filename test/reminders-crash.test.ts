/**
 * kill -9 in the middle of a reminder push: the job is taken over by the next worker, which
 * pushes again with the same X-Line-Retry-Key, and LINE (here a fake that behaves like it)
 * refuses the repeat with 409. The user gets the reminder exactly once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createLineChannel } from '../src/channels/line/index.ts';
import { loadConfig } from '../src/config.ts';
import { PROJECT_ROOT } from '../src/conversation/content.ts';
import { DEFAULT_REMINDER_SETTINGS } from '../src/conversation/reminder-plan.ts';
import type { UserRef } from '../src/conversation/types.ts';
import { ReminderScheduler } from '../src/jobs/reminders/scheduler.ts';
import { effectHandlers } from '../src/runtime.ts';
import { createReminderWorker, type ReminderOutcome } from '../src/jobs/reminders/worker.ts';
import { content, createConversations, silentLogger } from './support/conversation.ts';
import { createRedisStore, deletePrefix, redisUrl, uniquePrefix } from './support/redis.ts';

const prefix = uniquePrefix('reminder-crash');
const cleanups: (() => Promise<unknown> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  await deletePrefix(prefix);
});

/** Accepts each retry key once (and then never answers, the first time, if asked to hang); repeats get 409. */
async function fakeLine(options: { hangFirst: boolean }) {
  const seen = new Map<string, number>();
  const delivered: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url !== '/v2/bot/message/push') return res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      const key = String(req.headers['x-line-retry-key']);
      const count = (seen.get(key) ?? 0) + 1;
      seen.set(key, count);
      if (count > 1) {
        return res.writeHead(409, { 'content-type': 'application/json', 'x-line-accepted-request-id': 'r1' }).end('{"message":"The retry key is already accepted"}');
      }
      delivered.push(JSON.parse(body).to as string);
      if (options.hangFirst) return; // the worker dies before it hears back
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"sentMessages":[]}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => server.close(() => r(undefined))), () => server.closeAllConnections());
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, delivered };
}

function startWorkerProcess(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'test/support/reminder-worker-process.ts')], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  cleanups.push(() => {
    child.kill('SIGKILL');
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', () => resolve(child));
  });
}


describe('a worker killed with SIGKILL mid-push', () => {
  it('is taken over by the next worker and the user gets the reminder once', async () => {
    const start = '2026-12-03T11:59:58+09:00';
    const realStart = Date.now();
    const clock = () => new Date(Date.now() + Date.parse(start) - realStart);
    const lockMs = 1000;
    const line = await fakeLine({ hangFirst: true });

    const store = createRedisStore(prefix, { clock });
    const scheduler = new ReminderScheduler({ bull: store.queueConnection(), index: store.reminderIndex, logger: silentLogger, clock });
    cleanups.push(() => store.close(), () => scheduler.close());
    const conversations = createConversations(store, { clock, effects: effectHandlers({ scheduler, logger: silentLogger }) });
    const user: UserRef = { channel: 'line', id: 'U-crash' };
    await conversations.handle(user, { kind: 'start' });
    for (const [state, value] of [['offer_notified', 'yes'], ['contact_from', 'hr'], ['first_choice', 'yes'], ['other_status', 'none']] as const) {
      await conversations.handle(user, { kind: 'choice', state, value });
    }
    await conversations.handle(user, { kind: 'text', text: '12/3 14:00' });

    const child = await startWorkerProcess({
      REDIS_URL: redisUrl(),
      REDIS_PREFIX: prefix,
      LINE_API_BASE_URL: line.url,
      CLOCK_START: start,
      CLOCK_REAL_START: String(realStart),
      LOCK_MS: String(lockMs),
    });
    // The reminder is due 2 s after start; the child pushes and hangs waiting for LINE.
    await vi.waitUntil(() => line.delivered.length === 1, { timeout: 15_000, interval: 50 });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    const config = loadConfig({ LINE_CHANNEL_SECRET: 's', LINE_CHANNEL_ACCESS_TOKEN: 't', LINE_API_BASE_URL: line.url });
    const sender = createLineChannel({ config, store, conversations, content: content(), logger: silentLogger, clock }).sender;
    const outcomes: ReminderOutcome[] = [];
    const bull = store.workerConnection();
    const worker = createReminderWorker({
      bull,
      store,
      conversations,
      senders: { line: sender },
      settings: DEFAULT_REMINDER_SETTINGS,
      logger: silentLogger,
      clock,
      lockDurationMs: lockMs,
      onOutcome: (o) => outcomes.push(o),
    });
    cleanups.push(async () => {
      await worker.close();
      await bull.connection.quit();
    });

    await vi.waitUntil(() => outcomes.length === 1, { timeout: 15_000, interval: 50 });
    expect(outcomes).toEqual(['sent']);
    // Two requests reached "LINE" with one retry key; only the first was delivered.
    expect([...line.seen.values()]).toEqual([2]);
    expect(line.delivered).toEqual(['U-crash']);
  });
});
