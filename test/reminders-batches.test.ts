/**
 * The batch protocol on real Redis (store/reminder-batches.ts): who may still join, the plan
 * decided once, and a reminder in one batch at most.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createConversations } from './support/conversation.ts';
import { createRedisStore, deletePrefix, uniquePrefix } from './support/redis.ts';

const prefix = uniquePrefix('reminder-batches');
const store = createRedisStore(prefix);
afterAll(async () => {
  await store.close();
  await deletePrefix(prefix);
});
const batches = store.reminderBatches;

describe('reminder batches', () => {
  it('takes members until it is closed; a reminder worded later is told so', async () => {
    const due = Date.parse('2026-12-02T11:00:00Z');
    expect(await batches.join(due, 'g1', 'job-a', '{"a":1}')).toBe(true);
    expect(await batches.join(due, 'g1', 'job-b', '{"b":1}')).toBe(true);
    const closed = await batches.close(due, 'g1');
    expect(closed.plan).toBeUndefined();
    expect(Object.fromEntries(closed.members)).toEqual({ 'job-a': '{"a":1}', 'job-b': '{"b":1}' });
    expect(await batches.join(due, 'g1', 'job-c', '{"c":1}')).toBe(false);
    expect([...(await batches.close(due, 'g1')).members.keys()].sort()).toEqual(['job-a', 'job-b']);
  });

  it('freezes the first plan: a second sender of the batch gets that one back', async () => {
    const due = Date.parse('2026-12-02T11:00:01Z');
    await batches.join(due, 'g', 'job-a', '{}');
    await batches.close(due, 'g');
    expect(await batches.freeze(due, 'g', 'first')).toBe('first');
    expect(await batches.freeze(due, 'g', 'second')).toBe('first');
    expect((await batches.close(due, 'g')).plan).toBe('first');
  });

  it('keeps a reminder in the batch it joined first, and updates its entry there', async () => {
    const due = Date.parse('2026-12-02T11:00:02Z');
    expect(await batches.join(due, 'old-words', 'job-a', '{"version":1}')).toBe(true);
    // Worded again (its job was retried) after the session changed: other words, another batch.
    expect(await batches.join(due, 'new-words', 'job-a', '{"version":2}')).toBe(true);
    expect((await batches.close(due, 'new-words')).members.size).toBe(0);
    expect(await batches.join(due, 'old-words', 'job-a', '{"version":3}')).toBe(true);
    expect(Object.fromEntries((await batches.close(due, 'old-words')).members)).toEqual({ 'job-a': '{"version":3}' });
  });

  it('reads session versions, 0 for none', async () => {
    const user = { channel: 'line' as const, id: 'U-version' };
    await createConversations(store).handle(user, { kind: 'start' });
    expect(await batches.sessionVersions([user, { channel: 'line', id: 'U-none' }])).toEqual([1, 0]);
  });
});
