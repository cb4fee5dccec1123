/**
 * Reminders end to end on real Redis and BullMQ: planned by the conversation, mirrored into
 * delayed jobs, fired by workers through the conversation service, pushed through the real
 * LINE sender to a fake Messaging API. The clock starts seconds before a reminder is due.
 */
import type { Worker } from 'bullmq';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_REMINDER_SETTINGS } from '../src/conversation/reminder-plan.ts';
import type { ConversationService } from '../src/conversation/service.ts';
import { FOLLOWUP_STATE } from '../src/conversation/session.ts';
import type { UserRef } from '../src/conversation/types.ts';
import { reminderJobId } from '../src/jobs/reminders/job-ids.ts';
import { PREPARE_LEAD_MS, ReminderScheduler } from '../src/jobs/reminders/scheduler.ts';
import { effectHandlers } from '../src/runtime.ts';
import { createReminderWorker, type ReminderOutcome } from '../src/jobs/reminders/worker.ts';
import type { RedisStore } from '../src/store/redis-store.ts';
import { createConversations, giveMeeting, silentLogger } from './support/conversation.ts';
import { fakeLineApi, lineHarness, type LineHarness } from './support/line.ts';
import { createRedisStore, deletePrefix, rawRedis, uniquePrefix } from './support/redis.ts';

const prefix = uniquePrefix('reminders');

/** Real time, shifted so that "now" starts at `startIso`. */
function shiftedClock(startIso: string) {
  const offset = Date.parse(startIso) - Date.now();
  return () => new Date(Date.now() + offset);
}


interface Setup {
  store: RedisStore;
  /** What the store wrote, read directly. */
  raw: ReturnType<typeof rawRedis>;
  scheduler: ReminderScheduler;
  conversations: ConversationService;
  harness: LineHarness;
  api: ReturnType<typeof fakeLineApi>;
  outcomes: { outcome: ReminderOutcome; user: string }[];
  startWorker(): Worker;
}

const cleanups: (() => Promise<unknown>)[] = [];
beforeAll(() => nock.disableNetConnect());
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  nock.cleanAll();
});
afterAll(async () => {
  nock.enableNetConnect();
  await deletePrefix(prefix);
});

async function setup(clock: () => Date): Promise<Setup> {
  const p = `${prefix}${Math.random().toString(36).slice(2, 8)}:`;
  const store = createRedisStore(p, { clock });
  const scheduler = new ReminderScheduler({ bull: store.queueConnection(), index: store.reminderIndex, logger: silentLogger, clock });
  const conversations = createConversations(store, { clock, effects: effectHandlers({ scheduler, logger: silentLogger }) });
  const api = fakeLineApi();
  const harness = await lineHarness(store, { clock, conversations });
  const outcomes: Setup['outcomes'] = [];
  const raw = rawRedis(p);
  cleanups.push(() => store.close(), () => scheduler.close(), () => harness.close(), () => raw.redis.quit());
  return {
    store,
    raw,
    scheduler,
    conversations,
    harness,
    api,
    outcomes,
    startWorker() {
      const bull = store.workerConnection();
      const worker = createReminderWorker({
        bull,
        store,
        batches: store.reminderBatches,
        conversations,
        senders: { line: harness.line.sender },
        settings: DEFAULT_REMINDER_SETTINGS,
        logger: silentLogger,
        clock,
        onOutcome: (outcome, job) => outcomes.push({ outcome, user: job.data.user.id }),
      });
      cleanups.push(async () => {
        await worker.close();
        await bull.connection.quit();
      });
      return worker;
    },
  };
}


/** Everyone a reminder reached, by push or multicast, sorted. */
function recipients(s: Setup): string[] {
  return [...s.api.pushes().map((p) => p.body.to as string), ...s.api.multicasts().flatMap((m) => m.body.to as string[])].sort();
}

// Thursday 2026-12-03, 11:59:57 in Tokyo: a 14:00 meeting's "two hours before" is due in 3 s.
const JUST_BEFORE = '2026-12-03T11:59:57+09:00';

describe('reminders', () => {
  it('sends the pre-meeting reminder exactly once per user with two workers running: one multicast for the same words, with a retry key', async () => {
    const s = await setup(shiftedClock(JUST_BEFORE));
    const users = ['U-r1', 'U-r2', 'U-r3'].map((id) => ({ channel: 'line', id }) as UserRef);
    for (const user of users) await giveMeeting(s.conversations, user, '12/3 14:00');
    // Different words (the meeting's mode is known): a batch of one, pushed.
    const online: UserRef = { channel: 'line', id: 'U-r4' };
    await giveMeeting(s.conversations, online, '12/3 14:00');
    await s.conversations.handle(online, { kind: 'choice', state: 'meeting_mode', value: 'online' });
    s.startWorker();
    s.startWorker();
    await vi.waitUntil(() => s.outcomes.length === 4, { timeout: 8000, interval: 25 });
    await new Promise((r) => setTimeout(r, 500));
    expect(recipients(s)).toEqual(['U-r1', 'U-r2', 'U-r3', 'U-r4']);
    expect(s.api.multicasts().map((m) => m.body.to.sort())).toEqual([['U-r1', 'U-r2', 'U-r3']]);
    expect(s.api.pushes().map((p) => p.body.to)).toEqual(['U-r4']);
    expect(s.outcomes.every((o) => o.outcome === 'sent')).toBe(true);
    for (const call of [...s.api.pushes(), ...s.api.multicasts()]) {
      expect(call.retryKey).toMatch(/^[0-9a-f-]{36}$/);
      expect(JSON.stringify(call.body.messages)).toContain('12月3日(木) 14:00');
    }
    expect(JSON.stringify(s.api.pushes()[0]!.body.messages)).not.toEqual(JSON.stringify(s.api.multicasts()[0]!.body.messages));
    // Each conversation took the reminder's step once it was sent.
    for (const user of [...users, online]) expect((await s.store.sessions.get(user))?.value.reminders?.map((r) => r.kind)).toEqual(['after']);
  });

  it('words ahead without stepping: a user who cancels or blocks after the wording is left out of the batch', async () => {
    const s = await setup(shiftedClock(JUST_BEFORE));
    const ids = ['U-b1', 'U-b2', 'U-cancels', 'U-blocks', 'U-unfollows'];
    const users = ids.map((id) => ({ channel: 'line', id }) as UserRef);
    for (const user of users) await giveMeeting(s.conversations, user, '12/3 14:00');
    s.startWorker();
    // Worded and waiting in their batch; the conversations have not moved yet.
    await vi.waitUntil(async () => (await s.scheduler.queue.getJobCountByTypes('completed')) === users.length, { timeout: 5000, interval: 25 });
    expect((await s.scheduler.queue.getDelayed()).filter((j) => j.name === 'batch')).toHaveLength(1);
    expect((await s.store.sessions.get(users[0]!))?.value.reminders?.map((r) => r.kind)).toEqual(['before', 'after']);

    await s.conversations.handle(users[2]!, { kind: 'text', text: 'cancel reminders' });
    await s.store.users.update(users[3]!, { blocked: true });
    const unfollow = await s.harness.post([
      { type: 'unfollow', mode: 'active', timestamp: Date.now(), source: { type: 'user', userId: 'U-unfollows' }, webhookEventId: '01UNFOLLOWBATCH', deliveryContext: { isRedelivery: false } },
    ]);
    expect(unfollow.statusCode).toBe(200);

    await vi.waitUntil(() => s.outcomes.length === users.length, { timeout: 8000, interval: 25 });
    await new Promise((r) => setTimeout(r, 300));
    expect(recipients(s)).toEqual(['U-b1', 'U-b2']);
    expect(Object.fromEntries(s.outcomes.map((o) => [o.user, o.outcome]))).toEqual({
      'U-b1': 'sent',
      'U-b2': 'sent',
      'U-cancels': 'stale',
      'U-blocks': 'blocked',
      'U-unfollows': 'blocked',
    });
  });

  it('asks the follow-up question in the session only once it is sent', async () => {
    const clock = { offset: Date.parse('2026-12-03T10:00:00+09:00') - Date.now() };
    const s = await setup(() => new Date(Date.now() + clock.offset));
    const user: UserRef = { channel: 'line', id: 'U-followup' };
    await giveMeeting(s.conversations, user, '12/3 14:00');
    // 15:59:57: the follow-up (two hours after the 14:00 start) is due in 3 s; its job fires now.
    clock.offset = Date.parse('2026-12-03T15:59:57+09:00') - Date.now();
    for (const job of await s.scheduler.queue.getDelayed()) if (job.data.reminder.kind === 'after') await job.promote();
    s.startWorker();
    await vi.waitUntil(async () => (await s.scheduler.queue.getJobCountByTypes('completed')) === 1, { timeout: 5000, interval: 25 });
    expect((await s.store.sessions.get(user))?.value.state).not.toBe(FOLLOWUP_STATE);
    expect(s.api.pushes()).toHaveLength(0);

    await vi.waitUntil(() => s.outcomes.length === 1, { timeout: 8000, interval: 25 });
    expect(s.outcomes[0]?.outcome).toBe('sent');
    await vi.waitUntil(async () => (await s.store.sessions.get(user))?.value.state === FOLLOWUP_STATE, { timeout: 3000, interval: 25 });
    expect(s.api.pushes().map((p) => p.body.to)).toEqual(['U-followup']);
  });

  it('a user whose answers change after the wording gets the words as they are now, on their own', async () => {
    const s = await setup(shiftedClock(JUST_BEFORE));
    const users = ['U-c1', 'U-c2', 'U-changes'].map((id) => ({ channel: 'line', id }) as UserRef);
    for (const user of users) await giveMeeting(s.conversations, user, '12/3 14:00');
    s.startWorker();
    await vi.waitUntil(async () => (await s.scheduler.queue.getJobCountByTypes('completed')) === users.length, { timeout: 5000, interval: 25 });
    await s.conversations.handle(users[2]!, { kind: 'choice', state: 'meeting_mode', value: 'online' });
    await vi.waitUntil(() => s.outcomes.length === users.length, { timeout: 8000, interval: 25 });
    await new Promise((r) => setTimeout(r, 300));
    expect(recipients(s)).toEqual(['U-c1', 'U-c2', 'U-changes']);
    expect(s.api.multicasts().map((m) => m.body.to.sort())).toEqual([['U-c1', 'U-c2']]);
    const own = s.api.pushes();
    expect(own.map((p) => p.body.to)).toEqual(['U-changes']);
    expect(JSON.stringify(own[0]!.body.messages)).not.toEqual(JSON.stringify(s.api.multicasts()[0]!.body.messages));
    expect((await s.store.sessions.get(users[2]!))?.value.reminders?.map((r) => r.kind)).toEqual(['after']);
  });

  it('survives a worker restart mid-wait: the next worker sends it, late but still useful', async () => {
    const s = await setup(shiftedClock(JUST_BEFORE));
    const user: UserRef = { channel: 'line', id: 'U-restart' };
    await giveMeeting(s.conversations, user, '12/3 14:00');
    const first = s.startWorker();
    await first.close();
    // Due at +3 s; no worker runs then. A new one starts afterwards and delivers.
    await new Promise((r) => setTimeout(r, 3500));
    expect(s.api.pushes()).toHaveLength(0);
    s.startWorker();
    await vi.waitUntil(() => s.outcomes.length === 1, { timeout: 8000, interval: 25 });
    expect(s.outcomes[0]?.outcome).toBe('sent');
    expect(s.api.pushes().map((p) => p.body.to)).toEqual(['U-restart']);
  });

  it('cancels the reminders of a user who blocks the bot (unfollow), so nothing is sent', async () => {
    const s = await setup(shiftedClock(JUST_BEFORE));
    const user: UserRef = { channel: 'line', id: 'U-blocked' };
    await giveMeeting(s.conversations, user, '12/3 14:00');
    // The first is due within the prepare lead, so it already waits for a worker.
    expect(await s.scheduler.queue.getJobCountByTypes('delayed', 'wait')).toBe(2);
    const unfollow = await s.harness.post([
      { type: 'unfollow', mode: 'active', timestamp: Date.now(), source: { type: 'user', userId: 'U-blocked' }, webhookEventId: '01UNFOLLOWREMINDER', deliveryContext: { isRedelivery: false } },
    ]);
    expect(unfollow.statusCode).toBe(200);
    expect(await s.scheduler.queue.getJobCountByTypes('delayed', 'wait')).toBe(0);
    expect((await s.store.sessions.get(user))?.value.reminders).toEqual([]);
    s.startWorker();
    // Past the moment the reminder was due: still nothing.
    await new Promise((r) => setTimeout(r, 3500));
    expect(s.outcomes).toEqual([]);
    expect(s.api.pushes()).toHaveLength(0);
  });

  it('does not push to a user the platform reported unreachable', async () => {
    const s = await setup(shiftedClock(JUST_BEFORE));
    const user: UserRef = { channel: 'line', id: 'U-gone' };
    await giveMeeting(s.conversations, user, '12/3 14:00');
    await s.store.users.update(user, { unreachable: true });
    s.startWorker();
    await vi.waitUntil(() => s.outcomes.length === 1, { timeout: 8000, interval: 25 });
    expect(s.outcomes[0]?.outcome).toBe('blocked');
    expect(s.api.pushes()).toHaveLength(0);
  });

  it('sends nothing for a job the plan no longer has', async () => {
    const s = await setup(shiftedClock(JUST_BEFORE));
    const user: UserRef = { channel: 'line', id: 'U-stale' };
    await giveMeeting(s.conversations, user, '12/3 14:00');
    // A job left behind (say its removal raced a running worker) for a reminder not planned.
    await s.scheduler.sync(user, [
      { kind: 'before', at: new Date(Date.parse(JUST_BEFORE) + 1000).toISOString(), meetingAt: '2026-12-03T05:00:00.000Z' },
    ]);
    s.startWorker();
    await vi.waitUntil(() => s.outcomes.length === 1, { timeout: 8000, interval: 25 });
    expect(s.outcomes[0]?.outcome).toBe('stale');
    expect(s.api.pushes()).toHaveLength(0);
  });
});

describe('reminder jobs mirror the plan', () => {
  const NOW = '2026-11-26T10:00:00+09:00';

  async function delayedJobs(s: Setup): Promise<Map<string, number>> {
    const jobs = await s.scheduler.queue.getDelayed();
    return new Map(jobs.map((j) => [j.id!, j.timestamp + (j.opts.delay ?? 0)]));
  }

  it('schedules jobs at the planned instants, in Tokyo and in another zone', async () => {
    const clock = shiftedClock(NOW);
    const s = await setup(clock);
    const tokyo: UserRef = { channel: 'line', id: 'U-tokyo' };
    await giveMeeting(s.conversations, tokyo, '12/3 14:00');
    const ny: UserRef = { channel: 'line', id: 'U-ny' };
    await s.conversations.handle(ny, { kind: 'start' }, { timeZone: 'America/New_York' });
    await giveMeeting(s.conversations, ny, '12/3 14:00');

    const jobs = await delayedJobs(s);
    const due = (user: UserRef, kind: 'eve' | 'before' | 'after', at: string) =>
      jobs.get(reminderJobId(user, { kind, at: new Date(at).toISOString() }));
    // Delays are computed from the shifted clock, so compare against it with some slack. Jobs
    // fire PREPARE_LEAD_MS early: the worker words them then and pushes at the due instant.
    const close = (actual: number | undefined, expected: string) =>
      expect(Math.abs((actual ?? 0) - (Date.now() + Date.parse(expected) - PREPARE_LEAD_MS - clock().getTime()))).toBeLessThan(2000);
    close(due(tokyo, 'eve', '2026-12-02T20:00:00+09:00'), '2026-12-02T20:00:00+09:00');
    close(due(tokyo, 'before', '2026-12-03T12:00:00+09:00'), '2026-12-03T12:00:00+09:00');
    close(due(ny, 'before', '2026-12-03T12:00:00-05:00'), '2026-12-03T12:00:00-05:00');
    close(due(ny, 'after', '2026-12-03T16:00:00-05:00'), '2026-12-03T16:00:00-05:00');
    expect(await s.scheduler.list(tokyo)).toHaveLength(3);
  });

  it('replaces the jobs when the meeting moves, and removes them on cancel and on data deletion', async () => {
    const s = await setup(shiftedClock(NOW));
    const user: UserRef = { channel: 'line', id: 'U-move' };
    await giveMeeting(s.conversations, user, '12/3 14:00');
    await s.conversations.handle(user, { kind: 'choice', state: 'meeting_mode', value: 'online' });
    const before = new Set((await delayedJobs(s)).keys());
    expect(before.size).toBe(3);

    // At the menu, a new date moves the meeting.
    await s.conversations.handle(user, { kind: 'text', text: '12/10 11:00' });
    const moved = new Set((await delayedJobs(s)).keys());
    expect(moved.size).toBe(3);
    expect([...moved].some((id) => before.has(id))).toBe(false);

    await s.conversations.handle(user, { kind: 'text', text: 'cancel reminders' });
    expect((await delayedJobs(s)).size).toBe(0);
    expect(await s.scheduler.list(user)).toEqual([]);

    await s.conversations.handle(user, { kind: 'text', text: '12/10 11:00' });
    expect((await delayedJobs(s)).size).toBe(3);
    await s.conversations.handle(user, { kind: 'text', text: 'データ削除' });
    await s.conversations.handle(user, { kind: 'text', text: 'はい' });
    expect((await delayedJobs(s)).size).toBe(0);
    expect(await s.raw.redis.exists(s.raw.keys.reminderJobs(user))).toBe(0);
  });

  it('keeps a session with far-off reminders at least until the last one', async () => {
    const s = await setup(shiftedClock(NOW));
    const user: UserRef = { channel: 'line', id: 'U-far' };
    // 120 days ahead: longer than the 30-day idle TTL of a session.
    await giveMeeting(s.conversations, user, '2027-03-26 10:00');
    const ttl = await s.raw.redis.ttl(s.raw.keys.session(user));
    expect(ttl).toBeGreaterThan(120 * 86_400);
    await s.conversations.handle(user, { kind: 'text', text: 'cancel reminders' });
    expect(await s.raw.redis.ttl(s.raw.keys.session(user))).toBeLessThanOrEqual(30 * 86_400);
  });

  it('plans a reply reminder for "not replied yet"', async () => {
    const s = await setup(shiftedClock(NOW));
    const user: UserRef = { channel: 'line', id: 'U-reply' };
    await giveMeeting(s.conversations, user, '12/3 14:00');
    await s.conversations.handle(user, { kind: 'text', text: '戻る' });
    await s.conversations.handle(user, { kind: 'choice', state: 'meeting_date', value: 'not_replied' });
    const jobs = await s.scheduler.list(user);
    expect(jobs).toHaveLength(1);
    // Three hours after "now" (which moved on by a few milliseconds while the test ran).
    expect(Math.abs(Date.parse(jobs[0]!.at) - Date.parse('2026-11-26T13:00:00+09:00'))).toBeLessThan(2000);
  });
});
