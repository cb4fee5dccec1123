/**
 * What the reminder scheduler and worker add to the insights counters, on real Redis and
 * BullMQ with the real LINE sender against a fake Messaging API: reminders planned, one
 * skipped because quiet hours came between it and its moment, one skipped because the
 * platform said the user cannot be reached, one that failed for good.
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_REMINDER_SETTINGS } from '../src/conversation/reminder-plan.ts';
import type { UserRef } from '../src/conversation/types.ts';
import { field } from '../src/insights/fields.ts';
import { InsightsRecorder } from '../src/insights/recorder.ts';
import { ReminderScheduler } from '../src/jobs/reminders/scheduler.ts';
import { createReminderWorker } from '../src/jobs/reminders/worker.ts';
import { effectHandlers } from '../src/runtime.ts';
import { createConversations, giveMeeting, silentLogger } from './support/conversation.ts';
import { fakeLineApi, lineHarness } from './support/line.ts';
import { createRedisStore, deletePrefix, uniquePrefix } from './support/redis.ts';

const prefix = uniquePrefix('insights-reminders');
const cleanups: (() => Promise<unknown>)[] = [];
beforeAll(() => nock.disableNetConnect());
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  nock.cleanAll();
  nock.enableNetConnect();
  await deletePrefix(prefix);
});

/** Real time, moved forward at will (BullMQ waits in real time; the bot reads this). */
const clock = { offset: 0, read: () => new Date(Date.now() + clock.offset) };
const moveTo = (iso: string) => (clock.offset = Date.parse(iso) - Date.now());
const line = (id: string): UserRef => ({ channel: 'line', id });

describe('reminders in the insights counters', () => {
  it('counts planned, skipped for quiet hours or an unreachable user, and failed for good', { timeout: 30_000 }, async () => {
    // Thursday Dec 3, 10:00 in Tokyo.
    moveTo('2026-12-03T10:00:00+09:00');
    const store = createRedisStore(prefix, { clock: clock.read });
    const insights = new InsightsRecorder({ counters: store.insights, timeZone: 'Asia/Tokyo', logger: silentLogger, clock: clock.read });
    const scheduler = new ReminderScheduler({ bull: store.queueConnection(), index: store.reminderIndex, logger: silentLogger, clock: clock.read, insights });
    const conversations = createConversations(store, { clock: clock.read, effects: effectHandlers({ scheduler, logger: silentLogger }) });
    const api = fakeLineApi();
    const harness = await lineHarness(store, { clock: clock.read, conversations });
    const bull = store.workerConnection();
    const worker = createReminderWorker({ bull, store, batches: store.reminderBatches, conversations, senders: { line: harness.line.sender }, settings: DEFAULT_REMINDER_SETTINGS, logger: silentLogger, clock: clock.read, insights });
    cleanups.push(() => store.close(), () => scheduler.close(), () => harness.close(), () => worker.close(), () => bull.connection.quit());
    const counted = async () => (await store.insights.read(['2026-12-03']))[0]!;
    const promote = async (id: string) => {
      for (const job of await scheduler.queue.getDelayed()) if (job.data.user.id === id && job.data.reminder.kind === 'before') await job.promote();
    };

    // Meetings tonight, under 12 hours ahead: no evening-before reminder, one two hours
    // before and the follow-up after.
    for (const id of ['U-gone', 'U-fails']) await giveMeeting(conversations, line(id), '12/3 21:30');
    await giveMeeting(conversations, line('U-quiet'), '12/3 23:30');
    expect(await counted()).toMatchObject({ [field.reminderPlanned('before')]: 3, [field.reminderPlanned('after')]: 3 });
    expect((await counted())[field.reminderPlanned('eve')]).toBeUndefined();

    // The platform said U-gone cannot be reached; LINE refuses every push to U-fails.
    await store.users.update(line('U-gone'), { unreachable: true });
    api.state.respond = async (call) => (call.path === 'push' && call.body.to === 'U-fails' ? [500, { message: 'down' }] : undefined);
    const fails = (await scheduler.queue.getDelayed()).find((j) => j.data.user.id === 'U-fails' && j.data.reminder.kind === 'before')!;
    // The same reminder with no retries left after its first try, so it fails for good now.
    await fails.remove();
    await scheduler.queue.add('before', fails.data, { jobId: 'insights-fails-once', delay: 60 * 60_000, attempts: 1 });

    moveTo('2026-12-03T19:31:00+09:00');
    await promote('U-gone');
    await promote('U-fails');
    await vi.waitUntil(async () => {
      const c = await counted();
      return c[field.reminderSkipped('blocked', 'before')] === 1 && c[field.reminderFailed('before')] === 1;
    }, { timeout: 15_000, interval: 50 });

    // 22:10: U-quiet's 21:30 reminder is 40 minutes late and quiet hours began at 22:00; by
    // 08:00 the meeting is long over, so it is skipped.
    moveTo('2026-12-03T22:10:00+09:00');
    await promote('U-quiet');
    await vi.waitUntil(async () => (await counted())[field.reminderSkipped('quietHours', 'before')] === 1, { timeout: 15_000, interval: 50 });
    const c = await counted();
    expect(c[field.reminderSent('before')]).toBeUndefined();
    expect(c[field.reminderSkipped('tooLate', 'before')]).toBeUndefined();
  });
});
