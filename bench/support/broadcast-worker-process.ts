/**
 * The broadcasting worker of the broadcast benchmark, in a process of its own so its memory
 * figure is the worker's alone (no seeding, no fake LINE, no benchmark bookkeeping). Built
 * as the worker role builds it: the store, the LINE broadcaster, the broadcast workers.
 * Started with fork(); says `{ ready: true }` once its workers run, answers `'memory'` with
 * the largest V8 heap and off-heap (Buffer) figures it sampled; ends on SIGTERM.
 *
 * Environment: REDIS_URL, REDIS_PREFIX, LINE_URL, LINE_TOKEN, LINE_RATE (our limiter).
 */
import { pino } from 'pino';
import { loadAppContent } from '../../src/app-content.ts';
import { lineBroadcaster } from '../../src/channels/line/broadcaster.ts';
import { createLineMulticaster } from '../../src/channels/line/multicast.ts';
import { BroadcastQueues } from '../../src/jobs/broadcast/queues.ts';
import { createBroadcastWorkers } from '../../src/jobs/broadcast/worker.ts';
import { RedisStore } from '../../src/store/redis-store.ts';

const env = process.env;
const logger = pino({ level: 'warn' });
const store = new RedisStore({ url: env.REDIS_URL!, prefix: env.REDIS_PREFIX!, sessionTtlSeconds: 3600 });
const line = createLineMulticaster({
  config: { LINE_CHANNEL_ACCESS_TOKEN: env.LINE_TOKEN!, LINE_API_BASE_URL: env.LINE_URL!, LINE_DATA_API_BASE_URL: env.LINE_URL!, DEFAULT_TIME_ZONE: 'Asia/Tokyo' },
  catalog: loadAppContent().catalog,
  logger,
});
const queues = new BroadcastQueues(store.queueConnection());
const workers = createBroadcastWorkers({
  bull: store.workerConnection(),
  users: store.audience,
  broadcasts: store.broadcasts,
  queues,
  broadcasters: { line: lineBroadcaster(line) },
  rates: { line: Number(env.LINE_RATE), slack: 1 },
  fallbackLocale: 'ja',
  logger,
});
await Promise.all(workers.workers.map((w) => w.waitUntilReady()));
// Where the RSS goes, when it is more than wanted: the JS heap or buffers beside it.
const peak = { heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
setInterval(() => {
  const now = process.memoryUsage();
  for (const key of Object.keys(peak) as (keyof typeof peak)[]) peak[key] = Math.max(peak[key], now[key]);
}, 50).unref();
process.on('message', (message) => {
  if (message === 'memory') process.send!(Object.fromEntries(Object.entries(peak).map(([k, v]) => [k, Math.round(v / 1048576)])));
});
process.send!({ ready: true });
process.once('SIGTERM', () => {
  void workers
    .close()
    .then(() => queues.close())
    .then(() => store.close())
    .finally(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
