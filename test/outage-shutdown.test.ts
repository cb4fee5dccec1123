/**
 * Redis goes away under the running bot, a real process (`node src/main.ts`, as `npm start`
 * and Docker run it) on a redis-server of its own: the outage is logged once when it starts
 * and once when it ends, not on every reconnection attempt, and SIGTERM ends the process
 * with 0 within Docker's default stop timeout (10 s) whether Redis is up or down.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { signLineBody } from '../src/channels/line/signature.ts';
import { startFakePlatforms, type FakePlatforms } from './support/fake-platforms.ts';
import { ev, LINE_SECRET, lineBotProcessEnv, webhookBody } from './support/line.ts';
import { startRedisServer, type RedisServer } from './support/redis-server.ts';

/** Docker's default stop timeout; the process must be gone well before it. */
const STOP_TIMEOUT_MS = 10_000;

interface LogLine {
  level: number;
  msg: string;
  connection?: string;
}

interface Bot {
  proc: ChildProcess;
  url: string;
  /** Every line the process wrote, parsed when it is JSON (pino), else as text. */
  lines: (LogLine | string)[];
  exited: Promise<{ code: number | null; at: number }>;
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startBot(redis: RedisServer, fake: FakePlatforms): Promise<Bot> {
  const proc = spawn(process.execPath, ['src/main.ts'], {
    cwd: process.cwd(),
    env: lineBotProcessEnv(redis.url, 'outage-shutdown:', fake.lineBaseUrl),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: (LogLine | string)[] = [];
  const exited = once(proc, 'exit').then(([code]) => ({ code: code as number | null, at: Date.now() }));
  const collect = (stream: NodeJS.ReadableStream) => {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop()!;
      for (const part of parts.filter(Boolean)) {
        try {
          lines.push(JSON.parse(part) as LogLine);
        } catch {
          lines.push(part);
        }
      }
    });
  };
  collect(proc.stdout!);
  collect(proc.stderr!);
  cleanups.push(async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await exited;
    }
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const listening = lines.find((l): l is LogLine => typeof l === 'object' && /Server listening at/.test(l.msg));
      const match = listening && /(http:\/\/127\.0\.0\.1:\d+)/.exec(listening.msg);
      if (match) {
        clearInterval(timer);
        resolve(match[1]!);
      }
    }, 20);
    void exited.then(({ code }) => {
      clearInterval(timer);
      reject(new Error(`bot exited with ${code} before listening:\n${lines.map((l) => JSON.stringify(l)).join('\n')}`));
    });
  });
  return { proc, url, lines, exited };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Lines at warn or above, and anything not from the logger (stack traces, ioredis's own prints). */
function noisy(lines: (LogLine | string)[]): (LogLine | string)[] {
  return lines.filter((l) => typeof l === 'string' || l.level >= 40);
}

async function environment() {
  const redis = await startRedisServer();
  cleanups.push(() => redis.stop());
  const fake = await startFakePlatforms();
  cleanups.push(() => fake.close());
  const bot = await startBot(redis, fake);
  expect((await fetch(`${bot.url}/readyz`)).status).toBe(200);
  return { redis, fake, bot };
}

async function terminate(bot: Bot): Promise<{ code: number | null; ms: number }> {
  const signalledAt = Date.now();
  bot.proc.kill('SIGTERM');
  const { code, at } = await Promise.race([
    bot.exited,
    sleep(STOP_TIMEOUT_MS + 5_000).then(() => ({ code: -1, at: Date.now() })),
  ]);
  return { code, ms: at - signalledAt };
}

describe('a Redis outage under the running process', () => {
  it('is logged once when it starts and once when it ends, and the bot works again after', async () => {
    const { redis, fake, bot } = await environment();
    const before = bot.lines.length;

    await redis.kill();
    await sleep(10_000);
    const during = bot.lines.slice(before);
    const lost = during.filter((l): l is LogLine => typeof l === 'object' && l.msg.startsWith('redis connection lost'));
    // One line for the outage, however many connections and reconnection attempts there are.
    expect(lost).toHaveLength(1);
    expect(noisy(during), JSON.stringify(noisy(during), null, 1)).toHaveLength(1);

    await redis.restart();
    await expect.poll(async () => (await fetch(`${bot.url}/readyz`)).status, { timeout: 20_000, interval: 100 }).toBe(200);
    // "Back" once every connection is ready again (they retry at most 2 s apart).
    const back = () => bot.lines.slice(before).filter((l): l is LogLine => typeof l === 'object' && l.msg === 'redis connection back');
    await expect.poll(() => back().length, { timeout: 10_000, interval: 100 }).toBe(1);
    await sleep(2_500);
    expect(back()).toHaveLength(1);
    expect(noisy(bot.lines.slice(before)), JSON.stringify(noisy(bot.lines.slice(before)), null, 1)).toHaveLength(2);

    // A message after the outage is answered.
    const payload = webhookBody([ev.text('U-after-outage', 'こんにちは')]);
    const response = await fetch(`${bot.url}/webhooks/line`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-line-signature': signLineBody(payload, LINE_SECRET) },
      body: payload,
    });
    expect(response.status).toBe(200);
    await fake.waitFor((calls) => calls.some((c) => c.op === 'line:reply'));

    const stopped = await terminate(bot);
    expect(stopped.code).toBe(0);
    expect(stopped.ms).toBeLessThan(STOP_TIMEOUT_MS);
  }, 60_000);

  it('does not keep SIGTERM from ending the process with 0 within 10 s', async () => {
    const { redis, bot } = await environment();
    await redis.kill();
    await sleep(3_000);

    const stopped = await terminate(bot);
    expect(stopped.code, JSON.stringify(bot.lines.slice(-10), null, 1)).toBe(0);
    expect(stopped.ms).toBeLessThan(STOP_TIMEOUT_MS);
  }, 40_000);

  it('with Redis up, SIGTERM ends the process with 0 at once', async () => {
    const { bot } = await environment();
    const stopped = await terminate(bot);
    expect(stopped.code).toBe(0);
    expect(stopped.ms).toBeLessThan(3_000);
  }, 30_000);
});
