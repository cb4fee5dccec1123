/**
 * kill -9 in the middle of sending a reminder: the job is taken over by the next worker, which
 * sends again with the same X-Line-Retry-Key, and LINE (here a fake that behaves like it)
 * refuses the repeat with 409. Each user gets the reminder exactly once, whether it went
 * out as a push (a batch of one) or as a multicast (a batch of several with the same words).
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createLineChannel } from '../src/channels/line/index.ts';
import { loadConfig } from '../src/config.ts';
import { DEFAULT_REMINDER_SETTINGS } from '../src/conversation/reminder-plan.ts';
import type { UserRef } from '../src/conversation/types.ts';
import { ReminderScheduler } from '../src/jobs/reminders/scheduler.ts';
import { effectHandlers } from '../src/runtime.ts';
import { createReminderWorker, type ReminderOutcome } from '../src/jobs/reminders/worker.ts';
import { content, createConversations, giveMeeting, silentLogger } from './support/conversation.ts';
import { retryKeyLine, startWorkerProcess } from './support/crash.ts';
import { createRedisStore, deletePrefix, redisUrl, uniquePrefix } from './support/redis.ts';

const prefix = uniquePrefix('reminder-crash');
const cleanups: (() => Promise<unknown> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  await deletePrefix(prefix);
});

/**
 * Users with a 14:00 meeting (the same words), their reminder due 6 s in (time for the worker
 * process to start and word them ahead); the process is killed while LINE has not answered.
 */
async function killMidSend(ids: string[], options: { workerStart?: string } = {}) {
  const p = `${prefix}${ids.length}${options.workerStart ? 'late' : ''}:`;
  let start = '2026-12-03T11:59:54+09:00';
  let realStart = Date.now();
  const clock = () => new Date(Date.now() + Date.parse(start) - realStart);
  const lockMs = 1000;
  const line = await retryKeyLine({ hangFirst: true }, cleanups);

  const store = createRedisStore(p, { clock });
  const scheduler = new ReminderScheduler({ bull: store.queueConnection(), index: store.reminderIndex, logger: silentLogger, clock });
  cleanups.push(() => store.close(), () => scheduler.close());
  const conversations = createConversations(store, { clock, effects: effectHandlers({ scheduler, logger: silentLogger }) });
  const users = ids.map((id): UserRef => ({ channel: 'line', id }));
  for (const user of users) await giveMeeting(conversations, user, '12/3 14:00');
  if (options.workerStart) [start, realStart] = [options.workerStart, Date.now()];

  const child = await startWorkerProcess('reminder-worker-process.ts', {
    REDIS_URL: redisUrl(),
    REDIS_PREFIX: p,
    LINE_API_BASE_URL: line.url,
    CLOCK_START: start,
    CLOCK_REAL_START: String(realStart),
    LOCK_MS: String(lockMs),
  }, cleanups);
  // The child sends and hangs waiting for LINE.
  await vi.waitUntil(() => line.delivered.length === ids.length, { timeout: 15_000, interval: 50 });
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));

  const config = loadConfig({ LINE_CHANNEL_SECRET: 's', LINE_CHANNEL_ACCESS_TOKEN: 't', LINE_API_BASE_URL: line.url });
  const sender = createLineChannel({ config, store, conversations, content: content(), logger: silentLogger, clock }).sender;
  const outcomes: ReminderOutcome[] = [];
  const bull = store.workerConnection();
  const worker = createReminderWorker({
    bull,
    store,
    batches: store.reminderBatches,
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
  await vi.waitUntil(() => outcomes.length === ids.length, { timeout: 15_000, interval: 50 });
  // The next worker took the step the sent words belong to.
  await vi.waitUntil(async () => {
    for (const user of users) if ((await store.sessions.get(user))?.value.reminders?.some((r) => r.kind === 'before')) return false;
    return true;
  }, { timeout: 5_000, interval: 50 });
  return { line, outcomes };
}

describe('a worker killed with SIGKILL mid-send', () => {
  it('a push: taken over by the next worker, and the user gets the reminder once', async () => {
    const { line, outcomes } = await killMidSend(['U-crash']);
    expect(outcomes).toEqual(['sent']);
    // Two requests reached "LINE" with one retry key; only the first was delivered.
    expect([...line.seen.values()]).toEqual([2]);
    expect(line.delivered.map((d) => d.to)).toEqual(['U-crash']);
  });

  it('a push stepped after the due second: the next worker sends the words of that step once', async () => {
    // No worker ran at 12:00: the first one starts a second late and steps and pushes at once.
    const { line, outcomes } = await killMidSend(['U-crash-late'], { workerStart: '2026-12-03T12:00:01+09:00' });
    expect(outcomes).toEqual(['sent']);
    expect([...line.seen.values()]).toEqual([2]);
    expect(line.delivered.map((d) => d.to)).toEqual(['U-crash-late']);
  });

  it('a multicast: taken over by the next worker, and each user gets the reminder once', async () => {
    const { line, outcomes } = await killMidSend(['U-crash-1', 'U-crash-2', 'U-crash-3']);
    expect(outcomes).toEqual(['sent', 'sent', 'sent']);
    // One request for the three, twice with its retry key.
    expect([...line.seen.values()]).toEqual([2]);
    expect(line.delivered.map((d) => d.to).sort()).toEqual(['U-crash-1', 'U-crash-2', 'U-crash-3']);
  });
});
