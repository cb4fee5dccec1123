/**
 * Builds the running bot from config: store, conversation service, channels, reminder jobs,
 * and the HTTP server, for the role asked for (web, worker, or all). `stop()` shuts down in
 * order: stop taking requests, finish accepted work, then close Redis.
 */
import type { Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createAdminPlugin } from './admin/index.ts';
import { loadAppContent } from './app-content.ts';
import { createLineChannel, lineEnabled } from './channels/line/index.ts';
import { createSlackChannel, isSlackConfigured } from './channels/slack/index.ts';
import type { ChannelSender } from './channels/types.ts';
import { reminderSettings, type Config } from './config.ts';
import { ConversationService } from './conversation/service.ts';
import type { Channel } from './conversation/types.ts';
import { createBroadcasting, type Broadcasting } from './jobs/broadcast/runtime.ts';
import { ReminderScheduler } from './jobs/reminders/scheduler.ts';
import { createReminderWorker } from './jobs/reminders/worker.ts';
import { withEventMetrics } from './observability/event-metrics.ts';
import { createMetrics, type Metrics } from './observability/metrics.ts';
import { watchRedisConnection } from './observability/redis-events.ts';
import { buildApp } from './server/app.ts';
import { storeReadiness, workerReadiness } from './server/health.ts';
import { RedisStore } from './store/redis-store.ts';

export interface Runtime {
  app: FastifyInstance;
  store: RedisStore;
  conversations: ConversationService;
  scheduler: ReminderScheduler;
  broadcasting: Broadcasting;
  worker?: Worker;
  metrics: Metrics;
  stop(): Promise<void>;
}

export interface RuntimeOptions {
  config: Config;
  logger: Logger;
  clock?: () => Date;
  metrics?: Metrics;
}

export function requireRedisUrl(config: Config): string {
  if (!config.REDIS_URL) {
    throw new Error('REDIS_URL: must be set for `npm start` (use `npm run chat` to try the bot without Redis)');
  }
  return config.REDIS_URL;
}

export async function createRuntime({ config, logger, clock, metrics = createMetrics({ defaultMetrics: true }) }: RuntimeOptions): Promise<Runtime> {
  const url = requireRedisUrl(config);
  const content = loadAppContent();
  const store = new RedisStore({ url, prefix: config.REDIS_PREFIX, sessionTtlSeconds: config.SESSION_TTL_DAYS * 86_400, ...(clock ? { clock } : {}) });
  watchRedisConnection(store.connection, logger, 'store');
  const scheduler = new ReminderScheduler({ bull: store.queueConnection(), index: store.reminderIndex, logger, ...(clock ? { clock } : {}) });
  // The queue shares the store's connection, watched above; without a listener its copies of those errors go to stderr.
  scheduler.queue.on('error', () => undefined);
  const settings = reminderSettings(config);
  const conversations = new ConversationService({
    content,
    store,
    logger,
    maxDaysAhead: config.MEETING_MAX_DAYS_AHEAD,
    sessionTtlSeconds: config.SESSION_TTL_DAYS * 86_400,
    defaults: { locale: config.DEFAULT_LOCALE, timeZone: config.DEFAULT_TIME_ZONE },
    reminders: settings,
    effectHandlers: [scheduler.handleEffects],
    ...(clock ? { clock } : {}),
  });

  const channelDeps = { config, store: withEventMetrics(store, metrics), conversations, content, logger, metrics, ...(clock ? { clock } : {}) };
  const line = lineEnabled(config) ? createLineChannel(channelDeps) : undefined;
  const slack = isSlackConfigured(config) ? createSlackChannel(channelDeps) : undefined;
  const senders: Partial<Record<Channel, ChannelSender>> = {
    ...(line ? { line: line.sender } : {}),
    ...(slack ? { slack: slack.sender } : {}),
  };

  const serveWebhooks = config.ROLE !== 'worker';
  const broadcasting = createBroadcasting({ config, store, content, logger, metrics, ...(clock ? { clock } : {}), ...(slack ? { slackSender: slack.sender } : {}) });
  const admin = serveWebhooks ? createAdminPlugin({ config, store, content, service: broadcasting.service, logger, ...(clock ? { clock } : {}) }) : undefined;
  const runsWorker = config.ROLE !== 'web';
  let worker: Worker | undefined;
  const app = await buildApp({
    config,
    store,
    conversations,
    logger,
    metrics,
    plugins: serveWebhooks ? [...(line ? [line.plugin] : []), ...(slack ? [slack.plugin] : []), ...(admin ? [admin] : [])] : [],
    readiness: [
      storeReadiness(store),
      ...(runsWorker ? [workerReadiness('reminderWorker', () => worker), { name: 'broadcastWorkers', check: () => broadcasting.running() }] : []),
    ],
    acceptWebhooks: () => store.connected(),
  });
  if (serveWebhooks) await slack?.start();

  if (runsWorker) {
    // BullMQ workers block on their connection, so they get their own (closed with the store).
    const bull = store.workerConnection();
    watchRedisConnection(bull.connection, logger, 'reminderWorker');
    worker = createReminderWorker({
      bull,
      store,
      conversations,
      senders,
      settings,
      logger,
      ...(clock ? { clock } : {}),
      onOutcome: (outcome, job) => {
        metrics.remindersFired.inc({ kind: job.data.reminder.kind, outcome });
        if (outcome === 'sent') metrics.reminderLateness.observe(Math.max(0, Date.now() - Date.parse(job.data.reminder.at)) / 1000);
      },
    });
    broadcasting.startWorkers(bull);
  }
  logger.info({ role: config.ROLE, line: !!line, slack: slack?.mode ?? false, worker: !!worker }, 'mendan-navi ready');

  return {
    app,
    store,
    conversations,
    scheduler,
    broadcasting,
    metrics,
    ...(worker ? { worker } : {}),
    async stop() {
      await app.close();
      await line?.idle();
      await slack?.stop();
      await worker?.close();
      await broadcasting.close();
      await conversations.drain();
      await scheduler.close();
      await store.close();
    },
  };
}
