/**
 * Broadcasts wired from config: the service the staff API uses (any role) and the workers
 * that freeze and send (worker role). Channels without credentials are left out: a filter
 * cannot name them and no worker sends to them.
 */
import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import type { Content } from '../../conversation/content.ts';
import type { Metrics } from '../../observability/metrics.ts';
import type { QueueConnection } from '../../store/redis-connection.ts';
import type { RedisStore } from '../../store/redis-store.ts';
import type { Broadcasters } from './delivery.ts';
import { BROADCAST_CHANNELS } from './filter.ts';
import { BroadcastQueues } from './queues.ts';
import { BroadcastService } from './service.ts';
import { createBroadcastWorkers, type BroadcastWorkerOptions, type BroadcastWorkers } from './worker.ts';

export interface BroadcastingDeps {
  config: Config;
  store: RedisStore;
  content: Content;
  logger: Logger;
  metrics?: Metrics;
  clock?: () => Date;
  /** The broadcasters of the channels configured here (the channels' faces). */
  broadcasters: Broadcasters;
  /** Counts recipients and outcomes for the staff's insights. */
  insights?: BroadcastWorkerOptions['insights'];
}

export interface Broadcasting {
  service: BroadcastService;
  /** Starts the workers on a connection they may block on (the store's workerConnection()). */
  startWorkers(bull: QueueConnection): BroadcastWorkers;
  /** For readiness: every broadcast worker is started and running. */
  running(): boolean;
  /** Workers first (a running chunk finishes), then the queues. */
  close(): Promise<void>;
}

export function createBroadcasting(deps: BroadcastingDeps): Broadcasting {
  const { config, store, content } = deps;
  const logger = deps.logger.child({ component: 'broadcasts' });
  const { broadcasts, audience: users } = store;
  const queues = new BroadcastQueues(store.queueConnection());
  // The queues share the store's connection, whose errors are already logged.
  for (const queue of [queues.start, ...Object.values(queues.chunks)]) queue.on('error', () => undefined);
  const { broadcasters } = deps;
  const channels = BROADCAST_CHANNELS.filter((channel) => broadcasters[channel]);
  const service = new BroadcastService({
    users,
    broadcasts,
    queues,
    content,
    channels,
    fallbackLocale: config.DEFAULT_LOCALE,
    logger,
    ...(deps.clock ? { clock: deps.clock } : {}),
  });
  let workers: BroadcastWorkers | undefined;
  return {
    service,
    startWorkers(bull) {
      workers = createBroadcastWorkers({
        bull,
        users,
        broadcasts,
        queues,
        broadcasters,
        rates: { line: config.LINE_BROADCAST_RATE_PER_SECOND, slack: config.SLACK_BROADCAST_RATE_PER_SECOND },
        fallbackLocale: config.DEFAULT_LOCALE,
        logger,
        ...(deps.metrics ? { metrics: deps.metrics } : {}),
        ...(deps.clock ? { clock: deps.clock } : {}),
        ...(deps.insights ? { insights: deps.insights } : {}),
      });
      // Records from before the audience index are indexed once, in the background; until
      // then the staff's preview counts by walking the users.
      for (const channel of channels) {
        users.index.build(channel).then(
          (indexed) => indexed && logger.info({ channel, indexed }, 'audience index built'),
          (error: unknown) => logger.error({ err: error, channel }, 'could not build the audience index'),
        );
      }
      return workers;
    },
    running: () => !!workers && workers.workers.every((w) => w.isRunning() && !w.closing),
    async close() {
      await workers?.close(() => store.connected());
      await queues.close();
    },
  };
}
