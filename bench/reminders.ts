/**
 * Reminders at scale, on a redis-server of the benchmark's own (so INFO memory measures only
 * what the reminders cost, and stopping it removes every key):
 *
 * 1. Memory: 100,000 users each get a reminder through `ReminderScheduler.sync`, the path a
 *    conversation's effect takes; Redis used_memory before and after, per reminder.
 * 2. Lateness: a few thousand users with real sessions have a reminder due in the same
 *    second; the production worker (default concurrency) words them in the lead, batches
 *    equal words and delivers them through the real LINE sender to a fake LINE API on
 *    loopback. Lateness = multicast or push answered − due time. Two bursts: every meeting
 *    at 14:00 ("two hours before", the same words for all), and the evening before a day of
 *    meetings at different times with different answers (20:00, words that differ).
 */
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { loadAppContent } from '../src/app-content.ts';
import { createLineChannel } from '../src/channels/line/index.ts';
import { loadConfig, reminderSettings } from '../src/config.ts';
import type { PlannedReminder, ReminderKind } from '../src/conversation/reminder-plan.ts';
import { ConversationService } from '../src/conversation/service.ts';
import type { Locale, UserRef } from '../src/conversation/types.ts';
import { PREPARE_LEAD_MS, ReminderScheduler } from '../src/jobs/reminders/scheduler.ts';
import { createReminderWorker, DEFAULT_CONCURRENCY } from '../src/jobs/reminders/worker.ts';
import { effectHandlers } from '../src/runtime.ts';
import { redisKeys } from '../src/store/keys.ts';
import { RedisStore } from '../src/store/redis-store.ts';
import { startRedisServer, type RedisServer } from '../test/support/redis-server.ts';
import { startChild } from './support/child.ts';

export interface ReminderBenchOptions {
  /** Reminders scheduled for the memory figure. */
  scheduled?: number;
  /** Reminders due at once for the lateness figure. */
  burst?: number;
}

const logger = pino({ level: 'silent' });
const PREFIX = 'mendan:';
const SYNC_CONCURRENCY = 64;

export async function runReminderBench(options: ReminderBenchOptions = {}): Promise<Record<string, unknown>> {
  const { scheduled = 100_000, burst = 3_000 } = options;
  const server = await startRedisServer();
  try {
    const memory = await measureMemory(server, scheduled);
    await flush(server);
    const lateness = await measureLateness(server, burst, SAME_WORDS);
    await flush(server);
    const eveningLateness = await measureLateness(server, burst, EVENING_MIX);
    return { memory, lateness, eveningLateness };
  } finally {
    await server.stop();
  }
}

async function measureMemory(server: RedisServer, count: number) {
  const admin = new Redis(server.url);
  const store = new RedisStore({ url: server.url, prefix: PREFIX, sessionTtlSeconds: 30 * 86_400 });
  const scheduler = new ReminderScheduler({ bull: store.queueConnection(), index: store.reminderIndex, logger });
  try {
    const start = Date.now() + 86_400_000;
    const reminderOf = (i: number): PlannedReminder => {
      // Meetings spread over a month, the reminder two hours before each.
      const at = new Date(start + (i % (30 * 1440)) * 60_000 + Math.floor(i / (30 * 1440)) * 1000);
      return { kind: 'before', at: at.toISOString(), meetingAt: new Date(at.getTime() + 2 * 3_600_000).toISOString() };
    };
    // The queue's own keys (meta, events stream) exist from the first job on; they are not per reminder.
    await scheduler.sync(benchUser(-1), [reminderOf(0)]);
    const before = await usedMemory(admin);
    const keysBefore = await admin.dbsize();

    const began = Date.now();
    await pool(count, SYNC_CONCURRENCY, (i) => scheduler.sync(benchUser(i), [reminderOf(i)]));
    const seconds = (Date.now() - began) / 1000;

    const after = await usedMemory(admin);
    const user = benchUser(1);
    const keys = redisKeys(PREFIX);
    const [jobId] = Object.keys(await admin.hgetall(keys.reminderJobs(user)));
    const delayed = `${keys.queuePrefix}:reminders:delayed`;
    const sample = {
      jobHashBytes: await admin.memory('USAGE', `${keys.queuePrefix}:reminders:${jobId}`),
      userIndexHashBytes: await admin.memory('USAGE', keys.reminderJobs(user)),
      delayedSetBytesPerEntry: Math.round(((await admin.memory('USAGE', delayed, 'SAMPLES', '0')) ?? 0) / (await admin.zcard(delayed))),
    };
    return {
      reminders: count,
      usedMemoryBeforeBytes: before,
      usedMemoryAfterBytes: after,
      bytesPerReminder: Math.round((after - before) / count),
      keysPerReminder: Math.round(((await admin.dbsize()) - keysBefore) / count),
      sample,
      scheduleSeconds: Math.round(seconds * 10) / 10,
      scheduledPerSecond: Math.round(count / seconds),
      redisVersion: (await admin.info('server')).match(/redis_version:(\S+)/)?.[1],
    };
  } finally {
    await scheduler.close();
    await store.close();
    await admin.quit();
  }
}

async function flush(server: RedisServer): Promise<void> {
  const admin = new Redis(server.url);
  await admin.flushall();
  await admin.quit();
}

/** A burst: when its users set their meetings, when the reminders fall due, and what each user answered. */
interface Burst {
  name: string;
  kind: ReminderKind;
  /** When the users give their meetings. */
  setAt: string;
  due: string;
  user: (i: number) => { locale: Locale; meeting: string; firstChoice: 'yes' | 'no'; mode?: 'online' | 'in_person' };
}

/** Thursday 2026-12-03 in Tokyo: every meeting at 14:00, so its "two hours before" falls at 12:00 with the same words. */
const SAME_WORDS: Burst = {
  name: 'two hours before a 14:00 meeting',
  kind: 'before',
  setAt: '2026-12-03T10:00:00+09:00',
  due: '2026-12-03T12:00:00+09:00',
  user: () => ({ locale: 'ja', meeting: '12/3 14:00', firstChoice: 'yes' }),
};

/**
 * The evening before a day of meetings: every reminder falls at 20:00, but its words name
 * the meeting's time and follow the answers. Meetings on the half hour from 10:00 to 18:00,
 * most in the late morning and afternoon; mode known for most; one in twenty in English.
 */
const SLOTS = ['10:00', '10:30', '11:00', '11:30', '13:00', '13:30', '14:00', '14:30', '15:00', '15:30', '16:00', '16:30', '17:00', '18:00'];
const SLOT_WEIGHTS = [8, 3, 8, 3, 8, 4, 10, 4, 10, 4, 8, 3, 6, 2];
const EVENING_MIX: Burst = {
  name: 'evening before, mixed meetings',
  kind: 'eve',
  setAt: '2026-12-02T10:00:00+09:00',
  due: '2026-12-02T20:00:00+09:00',
  user: (i) => {
    const r = pseudoRandom(i);
    return {
      locale: r(20) === 0 ? 'en' : 'ja',
      meeting: `12/3 ${weighted(SLOTS, SLOT_WEIGHTS, r(1_000))}`,
      firstChoice: r(3) === 0 ? 'no' : 'yes',
      ...[{ mode: 'online' as const }, { mode: 'in_person' as const }, {}][[0, 0, 0, 1, 1, 2][r(6)]!],
    };
  },
};

async function measureLateness(server: RedisServer, count: number, burst: Burst) {
  const DUE = Date.parse(burst.due);
  const clock = { offset: Date.parse(burst.setAt) - Date.now() };
  const now = () => new Date(Date.now() + clock.offset);

  const fake = await startChild('./fake-platforms-process.ts');
  const config = loadConfig({
    REDIS_URL: server.url,
    LINE_CHANNEL_SECRET: 'bench-secret',
    LINE_CHANNEL_ACCESS_TOKEN: 'bench-token',
    LINE_API_BASE_URL: fake.url,
    LINE_DATA_API_BASE_URL: fake.url,
  });
  const content = loadAppContent();
  const store = new RedisStore({ url: server.url, prefix: PREFIX, sessionTtlSeconds: 30 * 86_400, clock: now });
  const scheduler = new ReminderScheduler({ bull: store.queueConnection(), index: store.reminderIndex, logger, clock: now });
  const settings = reminderSettings(config);
  // No effect handler yet: jobs are scheduled below, once "now" is set just before they are due.
  const conversationOptions = {
    content,
    store,
    logger,
    clock: now,
    maxDaysAhead: config.MEETING_MAX_DAYS_AHEAD,
    sessionTtlSeconds: 30 * 86_400,
    defaults: { locale: 'ja' as const, timeZone: 'Asia/Tokyo' },
    reminders: settings,
  };
  const conversations = new ConversationService(conversationOptions);
  // The worker's conversations move the schedule as production's do (a sent reminder leaves it).
  const stepping = new ConversationService({ ...conversationOptions, effects: effectHandlers({ scheduler, logger }) });
  const line = createLineChannel({ config, store, conversations: stepping, content, logger, clock: now });
  const bull = store.workerConnection();
  const admin = new Redis(server.url);
  const users = Array.from({ length: count }, (_, i) => benchUser(i));
  const late: number[] = [];
  let firstSent = Infinity;
  let lastSent = 0;

  try {
    await pool(count, SYNC_CONCURRENCY, (i) => answer(conversations, users[i]!, burst.user(i)));

    // "Now" moves to before the due second by more than the prepare lead, and every user's
    // reminders are scheduled: the worker then words them in the lead, as in production.
    const leadMs = PREPARE_LEAD_MS + 5_000 + Math.ceil(count / 2);
    clock.offset = DUE - leadMs - Date.now();
    await pool(count, SYNC_CONCURRENCY, async (i) => {
      const session = await store.sessions.get(users[i]!);
      await scheduler.sync(users[i]!, session?.value.reminders ?? []);
    });
    const dueReal = DUE - clock.offset;
    if (Date.now() > dueReal) throw new Error('scheduling took longer than the lead; raise leadMs');

    let allSent!: () => void;
    const done = new Promise<void>((resolve) => (allSent = resolve));
    const worker = createReminderWorker({
      bull,
      store,
      batches: store.reminderBatches,
      conversations: stepping,
      senders: { line: line.sender },
      settings,
      logger,
      clock: now,
      onOutcome: (outcome, { data }) => {
        if (outcome !== 'sent' || data.reminder.kind !== burst.kind) return;
        const at = Date.now();
        late.push(at - dueReal);
        firstSent = Math.min(firstSent, at);
        lastSent = Math.max(lastSent, at);
        if (late.length === count) allSent();
      },
    });
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`only ${late.length} of ${count} reminders sent`)), 300_000).unref());
    await Promise.race([done, timeout]).finally(() => worker.close());
    await line.idle();
    const { counts } = await fake.ask<{ counts: Record<string, number> }>('counts');
    // What the burst leaves behind for an hour: its batches' keys and the batch jobs.
    const batchKeys = await keysMatching(admin, `*{rb:${DUE}}:*`);
    const batchJobs = await keysMatching(admin, `${redisKeys(PREFIX).queuePrefix}:reminders:remb-${DUE}-*`);
    let leftBytes = 0;
    for (const key of [...batchKeys, ...batchJobs]) leftBytes += (await admin.memory('USAGE', key, 'SAMPLES', '0')) ?? 0;

    late.sort((a, b) => a - b);
    return {
      burst: burst.name,
      reminders: count,
      dueInTheSameSecond: true,
      distinctWords: batchJobs.length,
      workerConcurrency: DEFAULT_CONCURRENCY,
      p50Ms: percentile(late, 0.5),
      p99Ms: percentile(late, 0.99),
      maxMs: late.at(-1),
      firstSentAfterDueMs: late[0],
      drainSeconds: Math.round((lastSent - firstSent) / 100) / 10,
      sentPerSecond: Math.round(count / Math.max(0.001, (lastSent - dueReal) / 1000)),
      multicastsReceivedByFakeLine: counts['line:multicast'] ?? 0,
      pushesReceivedByFakeLine: counts['line:push'] ?? 0,
      batchBytesPerReminder: Math.round(leftBytes / count),
    };
  } finally {
    await admin.quit();
    await scheduler.close();
    await conversations.drain();
    await store.close();
    await fake.stop();
  }
}


/** A user through the diagnosis to a meeting, in their language, with their answers. */
async function answer(conversations: ConversationService, user: UserRef, a: ReturnType<Burst['user']>): Promise<void> {
  await conversations.handle(user, { kind: 'start' }, { locale: a.locale });
  for (const [state, value] of [
    ['offer_notified', 'no'],
    ['contact_from', 'hr'],
    ['purpose', 'intent'],
    ['first_choice', a.firstChoice],
    ['other_status', 'none'],
  ] as const) {
    await conversations.handle(user, { kind: 'choice', state, value });
  }
  await conversations.handle(user, { kind: 'text', text: a.meeting });
  if (a.mode) await conversations.handle(user, { kind: 'choice', state: 'meeting_mode', value: a.mode });
}

/** Deterministic draws for user i: r(n) is in [0, n). */
function pseudoRandom(i: number): (n: number) => number {
  let x = (i + 1) * 2_654_435_761;
  return (n) => {
    x = (Math.imul(x ^ (x >>> 15), 2_246_822_519) + 0x9e3779b9) >>> 0;
    return x % n;
  };
}

function weighted<T>(items: readonly T[], weights: readonly number[], draw: number): T {
  const total = weights.reduce((a, b) => a + b, 0);
  let at = (draw / 1_000) * total;
  for (const [i, w] of weights.entries()) if ((at -= w) < 0) return items[i]!;
  return items.at(-1)!;
}

async function keysMatching(redis: Redis, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1_000);
    keys.push(...found);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

/** A LINE-shaped user id (U + 32 hex digits). */
function benchUser(i: number): UserRef {
  return { channel: 'line', id: `U${(i + 1).toString(16).padStart(32, '0')}` };
}

async function usedMemory(redis: Redis): Promise<number> {
  return Number((await redis.info('memory')).match(/used_memory:(\d+)/)?.[1]);
}

async function pool(count: number, concurrency: number, work: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/** Memory per scheduled reminder the issue allows (#17): 1.5 KB. */
const MAX_BYTES_PER_REMINDER = 1_536;
/** p99 lateness the issue allows for a burst due in the same second (#17). */
const MAX_P99_MS = 1_000;

const verdict = (met: boolean) => (met ? '✓' : '✗');

interface LatenessFigures {
  burst: string;
  reminders: number;
  distinctWords: number;
  workerConcurrency: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  sentPerSecond: number;
  multicastsReceivedByFakeLine: number;
  pushesReceivedByFakeLine: number;
  batchBytesPerReminder: number;
}

function latenessRows(l: LatenessFigures): string[] {
  return [
    `| lateness, ${l.reminders.toLocaleString('en')} due in the same second (${l.burst}), one worker (concurrency ${l.workerConcurrency}): p50 / p99 / max | ${l.p50Ms} / ${l.p99Ms} / ${l.maxMs} ms | p99 ≤ ${MAX_P99_MS} ms ${verdict(l.p99Ms <= MAX_P99_MS)} |`,
    `| in that burst: distinct words, LINE multicasts / pushes, delivery rate | ${l.distinctWords}, ${l.multicastsReceivedByFakeLine} / ${l.pushesReceivedByFakeLine}, ${l.sentPerSecond}/s | |`,
    `| its batches' keys and jobs, kept an hour, per reminder | ${l.batchBytesPerReminder} bytes | |`,
  ];
}

export function reminderTable(results: Record<string, unknown>): string {
  const { memory: m, lateness, eveningLateness } = results as {
    memory: { reminders: number; bytesPerReminder: number; keysPerReminder: number; scheduledPerSecond: number; sample: Record<string, number> };
    lateness: LatenessFigures;
    eveningLateness: LatenessFigures;
  };
  return [
    '| figure | value | goal |',
    '| --- | --- | --- |',
    `| Redis memory per reminder (${m.reminders.toLocaleString('en')} scheduled, one per user) | ${m.bytesPerReminder} bytes (${m.keysPerReminder} keys) | ≤ ${MAX_BYTES_PER_REMINDER} bytes ${verdict(m.bytesPerReminder <= MAX_BYTES_PER_REMINDER)} |`,
    `| of which: job hash / user index hash / delayed-set entry (sampled) | ${m.sample.jobHashBytes} / ${m.sample.userIndexHashBytes} / ${m.sample.delayedSetBytesPerEntry} bytes | |`,
    `| scheduling rate (ReminderScheduler.sync, ${SYNC_CONCURRENCY} at a time) | ${m.scheduledPerSecond}/s | |`,
    ...latenessRows(lateness),
    ...latenessRows(eveningLateness),
  ].join('\n');
}
