/** No lost updates: many inputs for one user at once, through several "processes" on one Redis. */
import { afterAll, describe, expect, it } from 'vitest';
import type { UserRef } from '../src/conversation/types.ts';
import type { RedisStore } from '../src/store/redis-store.ts';
import { createConversations } from './support/conversation.ts';
import { createRedisStore, deletePrefix, uniquePrefix } from './support/redis.ts';

const prefix = uniquePrefix('concurrency');
const stores: RedisStore[] = [];
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await deletePrefix(prefix);
});

describe('50 concurrent inputs for one user', () => {
  it('applies every input exactly once, across five service instances with their own connections', async () => {
    // Five instances stand for five processes: separate Redis connections, separate in-process queues.
    const services = Array.from({ length: 5 }, () => {
      const store = createRedisStore(prefix);
      stores.push(store);
      return createConversations(store);
    });
    const user: UserRef = { channel: 'line', id: 'U-concurrent' };
    await services[0]!.handle(user, { kind: 'start' });

    // "help" changes nothing but the version: every applied input bumps it by exactly one.
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => services[i % 5]!.handle(user, { kind: 'text', text: i % 2 ? 'help' : 'ヘルプ' })),
    );
    expect(results).toHaveLength(50);
    const stored = await stores[0]!.sessions.get(user);
    expect(stored?.version).toBe(51);
  });

  it('never loses an answer when taps race with language switches', async () => {
    const store = createRedisStore(prefix);
    stores.push(store);
    const other = createRedisStore(prefix);
    stores.push(other);
    const a = createConversations(store);
    const b = createConversations(other);
    const user: UserRef = { channel: 'slack', id: 'U-race' };
    await a.handle(user, { kind: 'start' });
    // One answer and 49 language toggles, spread over two instances, all at once.
    const inputs = [
      a.handle(user, { kind: 'choice', value: 'yes', state: 'offer_notified' }),
      ...Array.from({ length: 49 }, (_, i) => (i % 2 ? a : b).handle(user, { kind: 'text', text: 'language' })),
    ];
    await Promise.all(inputs);
    const stored = await store.sessions.get(user);
    expect(stored?.version).toBe(51);
    expect(stored?.value.answers.offer_notified).toBe('yes');
    // 49 toggles from ja end in en.
    expect(stored?.value.locale).toBe('en');
  });
});
