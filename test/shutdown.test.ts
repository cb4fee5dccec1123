/**
 * Graceful shutdown. The first test runs `node src/main.ts` as a child process, exactly as
 * `npm start` and Docker do, against real Redis and a fake LINE API on loopback that answers
 * slowly, and sends SIGTERM while a webhook and its reply are in flight. The second stops
 * the runtime while a reminder job is pushing, and checks that the job was finished, not
 * abandoned to be retried.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import nock from 'nock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { signLineBody } from '../src/channels/line/signature.ts';
import { loadConfig } from '../src/config.ts';
import type { UserRef } from '../src/conversation/types.ts';
import { REMINDER_QUEUE } from '../src/jobs/reminders/scheduler.ts';
import { createMetrics } from '../src/observability/metrics.ts';
import { createRuntime } from '../src/runtime.ts';
import { redisKeys } from '../src/store/keys.ts';
import { giveMeeting, silentLogger } from './support/conversation.ts';
import { startFakePlatforms, type FakePlatforms } from './support/fake-platforms.ts';
import { ev, fakeLineApi, LINE_BASE, LINE_DATA_BASE, LINE_SECRET, LINE_TOKEN, lineBotProcessEnv, webhookBody } from './support/line.ts';
import { deletePrefix, redisUrl, uniquePrefix } from './support/redis.ts';

const prefix = uniquePrefix('shutdown');
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => deletePrefix(prefix));

/** Bound the test holds the process to; main.ts gives up by itself at 20 s. */
const SHUTDOWN_BOUND_MS = 8_000;

interface Child {
  proc: ChildProcess;
  url: string;
  output: string[];
  exited: Promise<{ code: number | null; at: number }>;
}

async function startBot(fake: FakePlatforms): Promise<Child> {
  const proc = spawn(process.execPath, ['src/main.ts'], {
    cwd: process.cwd(),
    env: lineBotProcessEnv(redisUrl(), `${prefix}child:`, fake.lineBaseUrl),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = once(proc, 'exit').then(([code]) => ({ code: code as number | null, at: Date.now() }));
  const listening = new Promise<string>((resolve, reject) => {
    proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      output.push(chunk);
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(chunk);
      if (match) resolve(match[1]!);
    });
    proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
    void exited.then(({ code }) => reject(new Error(`bot exited with ${code} before listening:\n${output.join('')}`)));
  });
  cleanups.push(async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await exited;
    }
  });
  return { proc, url: await listening, output, exited };
}

async function refusesConnections(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
    return false;
  } catch (error) {
    return /ECONNREFUSED/.test(String((error as { cause?: unknown }).cause ?? error));
  }
}

describe('graceful shutdown', () => {
  it('on SIGTERM stops listening, finishes the webhook and the reply in flight, and exits 0', async () => {
    // A slow profile keeps the webhook request open; a slow reply keeps delivery busy after it.
    const fake = await startFakePlatforms({ delayMs: { 'line:profile': 300, 'line:reply': 1_000 } });
    cleanups.push(() => fake.close());
    const bot = await startBot(fake);
    expect((await fetch(`${bot.url}/readyz`)).status).toBe(200);

    const payload = webhookBody([ev.follow('U-sigterm')]);
    const webhook = fetch(`${bot.url}/webhooks/line`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-line-signature': signLineBody(payload, LINE_SECRET) },
      body: payload,
    });
    await fake.waitFor((calls) => calls.some((c) => c.op === 'line:profile'));
    const signalledAt = Date.now();
    bot.proc.kill('SIGTERM');

    // The request that was being handled still gets its answer.
    expect((await webhook).status).toBe(200);
    // No new connections while the reply is still on its way.
    await fake.waitFor((calls) => calls.some((c) => c.op === 'line:reply'));
    expect(await refusesConnections(bot.url)).toBe(true);

    const { code, at } = await bot.exited;
    expect(code).toBe(0);
    expect(at - signalledAt).toBeLessThan(SHUTDOWN_BOUND_MS);
    const reply = fake.calls.find((c) => c.op === 'line:reply');
    expect(reply?.answeredAt).toBeDefined();
    // The process waited for LINE's answer to the reply before it exited.
    expect(reply!.answeredAt!).toBeLessThanOrEqual(at);
    expect(bot.output.join('')).toContain('shutdown complete');
    expect(await refusesConnections(bot.url)).toBe(true);
  }, 30_000);

  it('stop() lets a reminder batch that is pushing finish, so it is completed and not retried later', async () => {
    nock.disableNetConnect();
    const api = fakeLineApi();
    cleanups.push(async () => {
      nock.cleanAll();
      nock.enableNetConnect();
    });
    let pushStarted!: () => void;
    const pushing = new Promise<void>((resolve) => (pushStarted = resolve));
    let pushAnswered = false;
    api.state.respond = async (call) => {
      if (call.path !== 'push') return undefined;
      pushStarted();
      await new Promise((r) => setTimeout(r, 1_000));
      pushAnswered = true;
      return undefined;
    };

    // Thursday 2026-12-03, 11:59:57 in Tokyo: a 14:00 meeting's "two hours before" is due in 3 s.
    const offset = Date.parse('2026-12-03T11:59:57+09:00') - Date.now();
    const config = loadConfig({
      REDIS_URL: redisUrl(),
      REDIS_PREFIX: `${prefix}job:`,
      ROLE: 'all',
      LOG_LEVEL: 'silent',
      LINE_CHANNEL_SECRET: LINE_SECRET,
      LINE_CHANNEL_ACCESS_TOKEN: LINE_TOKEN,
      LINE_API_BASE_URL: LINE_BASE,
      LINE_DATA_API_BASE_URL: LINE_DATA_BASE,
    });
    const runtime = await createRuntime({ config, logger: silentLogger, clock: () => new Date(Date.now() + offset), metrics: createMetrics() });
    let stopped = false;
    cleanups.push(async () => {
      if (!stopped) await runtime.stop();
    });
    const user: UserRef = { channel: 'line', id: 'U-stop-mid-push' };
    await giveMeeting(runtime.conversations, user, '12/3 14:00');

    await pushing;
    await runtime.stop();
    stopped = true;
    expect(pushAnswered).toBe(true);

    const connection = new Redis(redisUrl());
    const queue = new Queue(REMINDER_QUEUE, { connection, prefix: redisKeys(`${prefix}job:`).queuePrefix });
    try {
      // The reminder was worded into a batch (a batch of one is pushed), and the batch's job finished.
      const batches = (await queue.getJobs(['active', 'wait', 'delayed', 'failed', 'completed'])).filter((j) => j.name === 'batch');
      expect(await Promise.all(batches.map((j) => j.getState()))).toEqual(['completed']);
    } finally {
      await queue.close();
      await connection.quit();
    }
    expect(api.pushes()).toHaveLength(1);
  }, 30_000);
});
