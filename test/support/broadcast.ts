/**
 * Broadcast test kit: the real store, queues, service and workers on real Redis, sending to
 * a fake LINE server on loopback and (when asked) the nock Slack fake. Each kit has its own
 * key prefix, so BullMQ queues of different tests never meet.
 */
import { createLineMulticaster } from '../../src/channels/line/multicast.ts';
import { createSlackChannel } from '../../src/channels/slack/index.ts';
import { lineBroadcaster } from '../../src/channels/line/broadcaster.ts';
import type { ChannelBroadcaster } from '../../src/channels/types.ts';
import { loadConfig } from '../../src/config.ts';
import type { Channel, Locale, Verdict } from '../../src/conversation/types.ts';
import type { BroadcastChannel } from '../../src/jobs/broadcast/filter.ts';
import { BroadcastQueues } from '../../src/jobs/broadcast/queues.ts';
import type { BroadcastRecord } from '../../src/store/broadcast-record.ts';
import { BroadcastService } from '../../src/jobs/broadcast/service.ts';
import { chunkSizes, createBroadcastWorkers, type BroadcastWorkers } from '../../src/jobs/broadcast/worker.ts';
import { createMetrics, type Metrics } from '../../src/observability/metrics.ts';
import type { RedisStore } from '../../src/store/redis-store.ts';
import type { UserPatch } from '../../src/store/types.ts';
import { content, createConversations, silentLogger } from './conversation.ts';
import { FakeLineServer, type FakeLineOptions } from './fake-line-server.ts';
import { createRedisStore, deletePrefix, rawRedis, uniquePrefix } from './redis.ts';
import type { RedisClient } from '../../src/store/redis-connection.ts';
import { FakeSlack, slackEnv } from './slack.ts';

export const LINE_TOKEN = 'test-access-token';

export interface UserSpec extends UserPatch {
  channel?: Channel;
  id: string;
  locale?: Locale;
  verdict?: Verdict;
}

export async function seedUsers(store: RedisStore, users: UserSpec[]): Promise<void> {
  await Promise.all(users.map(({ channel = 'line', id, ...patch }) => store.users.update({ channel, id }, patch)));
}

/** A LINE user id shaped like LINE's (U + 32 hex digits). */
export const lineId = (n: number): string => `U${n.toString(16).padStart(32, '0')}`;

export interface KitOptions {
  line?: FakeLineOptions;
  slack?: boolean;
  rates?: Partial<Record<BroadcastChannel, number>>;
  freezeWaitMs?: number;
  tuning?: { lockDurationMs?: number; stalledIntervalMs?: number };
}

export async function broadcastKit(name: string, options: KitOptions = {}) {
  const prefix = uniquePrefix(name);
  const store = createRedisStore(prefix);
  const { broadcasts, audience: reader } = store;
  /** What the store wrote, read directly. */
  const raw = rawRedis(prefix);
  const queues = new BroadcastQueues(store.queueConnection());
  const fakeLine = new FakeLineServer({ token: LINE_TOKEN, ...options.line });
  const lineUrl = await fakeLine.start();
  const metrics: Metrics = createMetrics();
  const line = lineBroadcaster(createLineMulticaster({
    config: { LINE_CHANNEL_ACCESS_TOKEN: LINE_TOKEN, LINE_API_BASE_URL: lineUrl, LINE_DATA_API_BASE_URL: lineUrl, DEFAULT_TIME_ZONE: 'Asia/Tokyo' },
    catalog: content().catalog,
    logger: silentLogger,
    metrics,
    retry: { baseDelayMs: 10, maxDelayMs: 50 },
  }));

  let fakeSlack: FakeSlack | undefined;
  let slackBroadcaster: ChannelBroadcaster | undefined;
  const slackSleeps: number[] = [];
  if (options.slack) {
    fakeSlack = new FakeSlack();
    const slack = createSlackChannel({
      config: loadConfig(slackEnv()),
      store,
      conversations: createConversations(store),
      content: content(),
      logger: silentLogger,
      sleep: async (ms) => {
        slackSleeps.push(ms);
      },
      retryConfig: { retries: 0 },
    });
    slackBroadcaster = slack.broadcaster;
  }
  const broadcasters = { line, ...(slackBroadcaster ? { slack: slackBroadcaster } : {}) };
  const channels: BroadcastChannel[] = options.slack ? ['line', 'slack'] : ['line'];
  const service = new BroadcastService({
    users: reader,
    broadcasts,
    queues,
    content: content(),
    channels,
    fallbackLocale: 'ja',
    logger: silentLogger,
    freezeWaitMs: options.freezeWaitMs ?? 5_000,
  });

  let workers: BroadcastWorkers | undefined;
  let workerConnection: RedisClient | undefined;
  const startWorkers = () => {
    const bull = store.workerConnection();
    workerConnection = bull.connection;
    workers = createBroadcastWorkers({
      bull,
      users: reader,
      broadcasts,
      queues,
      broadcasters,
      rates: { line: options.rates?.line ?? 100, slack: options.rates?.slack ?? 50 },
      fallbackLocale: 'ja',
      logger: silentLogger,
      metrics,
      ...(options.tuning ? { tuning: options.tuning } : {}),
    });
    return workers;
  };
  const stopWorkers = async () => {
    await workers?.close();
    await workerConnection?.quit();
    workers = undefined;
  };

  /** Polls until the broadcast leaves the active statuses (or `check` holds). */
  const waitFor = async (id: string, check: (r: BroadcastRecord) => boolean = (r) => r.status === 'done' || r.status === 'cancelled', timeoutMs = 15_000) => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const record = await broadcasts.get(id);
      if (record && check(record)) return record;
      if (Date.now() > until) throw new Error(`broadcast ${id} timed out: ${JSON.stringify(record && { status: record.status, total: record.total, sent: record.sent, failed: record.failed, skipped: record.skipped })}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  const close = async () => {
    await stopWorkers();
    await queues.close();
    await fakeLine.stop();
    if (fakeSlack) FakeSlack.cleanup();
    await store.close();
    await raw.redis.quit();
    await deletePrefix(prefix);
  };

  return { prefix, store, raw, chunkSizes: chunkSizes(broadcasters), reader, broadcasts, queues, service, line, fakeLine, fakeSlack, slackSleeps, metrics, startWorkers, stopWorkers, waitFor, close };
}

export type BroadcastKit = Awaited<ReturnType<typeof broadcastKit>>;
