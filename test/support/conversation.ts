/** Builds the real conversation service for tests, with a controllable clock and a silent logger. */
import { pino } from 'pino';
import { loadAppContent } from '../../src/app-content.ts';
import type { Content } from '../../src/conversation/content.ts';
import { ConversationService, type EffectHandlers } from '../../src/conversation/service.ts';
import type { UserRef } from '../../src/conversation/types.ts';
import type { Store } from '../../src/store/types.ts';

let cached: Content | undefined;
export function content(): Content {
  cached ??= loadAppContent();
  return cached;
}

export const silentLogger = pino({ level: 'silent' });

/** A clock tests can move: `clock.now` is read on every call. */
export function testClock(start = '2026-11-26T01:00:00.000Z') {
  const clock = { now: new Date(start), read: () => clock.now, advance: (ms: number) => (clock.now = new Date(clock.now.getTime() + ms)) };
  return clock;
}

export function createConversations(store: Store, options: { clock?: () => Date; effects?: EffectHandlers } = {}) {
  return new ConversationService({
    content: content(),
    store,
    logger: silentLogger,
    maxDaysAhead: 180,
    sessionTtlSeconds: 30 * 86_400,
    defaults: { locale: 'ja', timeZone: 'Asia/Tokyo' },
    ...options,
  });
}

/** Taps through the diagnosis up to the meeting date the way a user would, then types `date`. */
export async function giveMeeting(conversations: ConversationService, user: UserRef, date: string): Promise<void> {
  await conversations.handle(user, { kind: 'start' });
  for (const [state, value] of [
    ['offer_notified', 'no'],
    ['contact_from', 'hr'],
    ['purpose', 'intent'],
    ['first_choice', 'yes'],
    ['other_status', 'none'],
  ] as const) {
    await conversations.handle(user, { kind: 'choice', state, value });
  }
  await conversations.handle(user, { kind: 'text', text: date });
}
