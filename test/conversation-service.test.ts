/** The conversation service keeps the user record in step with the session, and no more. */
import { afterAll, describe, expect, it } from 'vitest';
import type { UserRef } from '../src/conversation/types.ts';
import { createConversations, giveMeeting, testClock } from './support/conversation.ts';
import { createRedisStore, deletePrefix, uniquePrefix } from './support/redis.ts';

const prefix = uniquePrefix('service');
const clock = testClock('2026-11-26T01:00:00.000Z');
const store = createRedisStore(prefix, { clock: clock.read });
afterAll(async () => {
  await store.close();
  await deletePrefix(prefix);
});

describe('user record', () => {
  it('is written when a step changes what it holds, and left alone otherwise', async () => {
    const conversations = createConversations(store, { clock: clock.read });
    const user: UserRef = { channel: 'line', id: 'U-record' };
    await giveMeeting(conversations, user, '12/3 14:00');
    const withMeeting = await store.users.get(user);
    expect(withMeeting?.meetingAt).toBe('2026-12-03T05:00:00.000Z');

    clock.advance(60_000);
    await conversations.handle(user, { kind: 'text', text: 'help' });
    expect((await store.users.get(user))?.updatedAt).toBe(withMeeting?.updatedAt);

    clock.advance(60_000);
    await conversations.handle(user, { kind: 'text', text: 'stop tips' });
    const optedOut = await store.users.get(user);
    expect(optedOut?.optedOut).toBe(true);
    expect(optedOut?.updatedAt).not.toBe(withMeeting?.updatedAt);
  });

  it('is created on the first step', async () => {
    const conversations = createConversations(store, { clock: clock.read });
    const user: UserRef = { channel: 'slack', id: 'U-first' };
    await conversations.handle(user, { kind: 'start' }, { locale: 'en' });
    expect(await store.users.get(user)).toMatchObject({ channel: 'slack', id: 'U-first', locale: 'en' });
  });
});
