/**
 * kill -9 in the middle of a reminder push: the job is taken over by the next worker, which
 * pushes again with the same X-Line-Retry-Key, and LINE (here a fake that behaves like it)
 * refuses the repeat with 409. The user gets the reminder exactly once.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createLineChannel } from '../src/channels/line/index.ts';
import { loadConfig } from '../src/config.ts';
import { DEFAULT_REMINDER_SETTINGS } from '../src/conversation/reminder-plan.ts';
import type { UserRef } from '../src/conversation/types.ts';
import { ReminderScheduler } from '../src/jobs/reminders/scheduler.ts';
import { effectHandlers } from '../src/runtime.ts';
import { createReminderWorker, type ReminderOutcome } from '../src/jobs/reminders/worker.ts';
import { content, createConversations, silentLogger } from './support/conversation.ts';
import { retryKeyLine, startWorkerProcess } from './support/crash.ts';
import { createRedisStore, deletePrefix, redisUrl, uniquePrefix } from './support/redis.ts';

const prefix = uniquePrefix('reminder-crash');
const cleanups: (() => Promise<unknown> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  await deletePrefix(prefix);
});

describe('a worker killed with SIGKILL mid-push', () => {
  it('is taken over by the next worker and the user gets the reminder once', async () => {
    const start = '2026-12-03T11:59:58+09:00';
    const realStart = Date.now();
    const clock = () => new Date(Date.now() + Date.parse(start) - realStart);
    const lockMs = 1000;
    const line = await retryKeyLine({ hangFirst: true }, cleanups);

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

    const child = await startWorkerProcess('reminder-worker-process.ts', {
      REDIS_URL: redisUrl(),
      REDIS_PREFIX: prefix,
      LINE_API_BASE_URL: line.url,
      CLOCK_START: start,
      CLOCK_REAL_START: String(realStart),
      LOCK_MS: String(lockMs),
    }, cleanups);
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
    expect(line.delivered.map((d) => d.to)).toEqual(['U-crash']);
  });
});
