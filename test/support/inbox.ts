/**
 * An inbox of its own for one test app: on the app's store when that is a RedisStore (so a
 * Redis that is down is down for the inbox too), else on the test Redis under a prefix of its own.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { inboxSettings } from '../../src/inbox/settings.ts';
import type { InboxHandler } from '../../src/inbox/types.ts';
import { InboxWorker } from '../../src/inbox/worker.ts';
import type { RedisInbox } from '../../src/store/inbox.ts';
import { RedisStore } from '../../src/store/redis-store.ts';
import type { Store } from '../../src/store/types.ts';
import { silentLogger } from './conversation.ts';
import { createRedisStore, deletePrefix, uniquePrefix } from './redis.ts';

export interface TestInbox {
  inbox: RedisInbox;
  close(): Promise<void>;
}

export function testInbox(store: Store, options: { partitions?: number; maxDepth?: number } = {}): TestInbox {
  const prefix = uniquePrefix('inbox');
  const own = store instanceof RedisStore ? undefined : createRedisStore(prefix);
  const host = own ?? (store as RedisStore);
  const settings = { INBOX_PARTITIONS: options.partitions ?? 4, INBOX_MAX_DEPTH: options.maxDepth ?? 10_000 };
  return {
    inbox: host.inbox(inboxSettings(settings, `inbox-${randomUUID().slice(0, 8)}`)),
    async close() {
      if (!own) return;
      await own.close();
      await deletePrefix(prefix);
    },
  };
}

export interface TestWorker extends TestInbox {
  worker: InboxWorker;
}

/** An inbox and a started worker on it: `worker.settled()` waits until what was accepted is handled. */
export async function testWorker(
  store: Store,
  handlers: Partial<Record<'line' | 'slack', InboxHandler>>,
  options: { logger?: Logger; partitions?: number; maxDepth?: number } = {},
): Promise<TestWorker> {
  const own = testInbox(store, options);
  const worker = new InboxWorker({ inbox: own.inbox, handlers, logger: options.logger ?? silentLogger, leaseMs: 5_000 });
  await worker.start();
  return {
    inbox: own.inbox,
    worker,
    async close() {
      await worker.stop();
      await own.close();
    },
  };
}
