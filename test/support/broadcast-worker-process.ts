/**
 * Broadcast workers in their own process, for crash tests: the test kills it with SIGKILL.
 * Configured by environment: REDIS_URL, REDIS_PREFIX, LINE_API_BASE_URL, LINE_RATE (chunks
 * per second), LOCK_MS (BullMQ lock; a killed worker's jobs are taken over after it).
 */
import { pino } from 'pino';
import { loadAppContent } from '../../src/app-content.ts';
import { lineBroadcaster } from '../../src/channels/line/broadcaster.ts';
import { createLineMulticaster } from '../../src/channels/line/multicast.ts';
import { BroadcastQueues } from '../../src/jobs/broadcast/queues.ts';
import { createBroadcastWorkers } from '../../src/jobs/broadcast/worker.ts';
import { RedisStore } from '../../src/store/redis-store.ts';

const env = process.env;
const logger = pino({ level: 'silent' });
const store = new RedisStore({ url: env.REDIS_URL!, prefix: env.REDIS_PREFIX!, sessionTtlSeconds: 3600 });
const line = createLineMulticaster({
  config: { LINE_CHANNEL_ACCESS_TOKEN: 'test-access-token', LINE_API_BASE_URL: env.LINE_API_BASE_URL!, LINE_DATA_API_BASE_URL: env.LINE_API_BASE_URL!, DEFAULT_TIME_ZONE: 'Asia/Tokyo' },
  catalog: loadAppContent().catalog,
  logger,
});
const lockMs = Number(env.LOCK_MS);
createBroadcastWorkers({
  bull: store.workerConnection(),
  users: store.audience,
  broadcasts: store.broadcasts,
  queues: new BroadcastQueues(store.queueConnection()),
  broadcasters: { line: lineBroadcaster(line) },
  rates: { line: Number(env.LINE_RATE), slack: 1 },
  fallbackLocale: 'ja',
  logger,
  tuning: { lockDurationMs: lockMs, stalledIntervalMs: lockMs / 2 },
});
process.stdout.write('worker ready\n');
