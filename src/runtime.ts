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
import { createLineChannel, lineEnabled, linePreview } from './channels/line/index.ts';
import { createSlackChannel, isSlackConfigured, slackPreview } from './channels/slack/index.ts';
import type { ChannelFace } from './channels/types.ts';
import { reminderSettings, type Config } from './config.ts';
import { ConversationService, type EffectHandlers } from './conversation/service.ts';
import { handoffEffects } from './handoff/effects.ts';
import { handoffSettings, staffRouteConfigured } from './handoff/config.ts';
import { createHandoffs, type Handoffs } from './handoff/runtime.ts';
import type { HandoffService } from './handoff/service.ts';
import { meteredInbox } from './inbox/metered.ts';
import { inboxSettings } from './inbox/settings.ts';
import { InboxWorker } from './inbox/worker.ts';
import { isBroadcastChannel } from './jobs/broadcast/filter.ts';
import { createBroadcasting, type Broadcasting } from './jobs/broadcast/runtime.ts';
import { ReminderScheduler } from './jobs/reminders/scheduler.ts';
import { createReminderWorker } from './jobs/reminders/worker.ts';
import { createMetrics, type Metrics } from './observability/metrics.ts';
import { RedisOutages } from './observability/redis-events.ts';
import { closeWorker, whileRedisUp } from './jobs/close-worker.ts';
import { startRetentionSweeps, type RetentionSweeps } from './jobs/user-retention.ts';
import { InsightsRecorder } from './insights/recorder.ts';
import { buildApp } from './server/app.ts';
import { storeReadiness, workerReadiness } from './server/health.ts';
import { RedisStore } from './store/redis-store.ts';
import { parseClusterNodes, type RedisTarget } from './store/redis-connection.ts';

export interface Runtime {
  app: FastifyInstance;
  store: RedisStore;
  conversations: ConversationService;
  scheduler: ReminderScheduler;
  broadcasting: Broadcasting;
  /** The advisor handoff (offered only with a staff route). */
  handoffs: Handoffs;
  worker?: Worker;
  /** The conversation worker (ROLE worker or all): takes events from the inbox. */
  inboxWorker?: InboxWorker;
  metrics: Metrics;
  stop(): Promise<void>;
}

export interface RuntimeOptions {
  config: Config;
  logger: Logger;
  clock?: () => Date;
  metrics?: Metrics;
}

/** Effects whose work is done elsewhere: the user record follows the session (service.ts). */
const recordedWithTheSession = async (): Promise<void> => undefined;
/** Effects only the insights counters care about; they see every step's effects at once (onEffects). */
const countedByInsights = async (): Promise<void> => undefined;

/**
 * What each effect of a conversation step does: one handler per kind, so a kind added to
 * `SideEffect` without one fails the typecheck. The advisor handoff's kinds go to its
 * service (src/handoff/effects.ts).
 */
export function effectHandlers(deps: { scheduler: ReminderScheduler; logger: Logger; handoffs?: () => HandoffService }): EffectHandlers {
  const { scheduler, logger } = deps;
  const { forget, ...handoff } = handoffEffects(deps.handoffs, logger);
  return {
    // A deleted user's plan is cancelled by deleteData, never synced.
    remindersChanged: async (effect, { user, session }) => {
      if (session) await scheduler.sync(user, effect.reminders);
    },
    deleteData: async (_effect, { user }) => {
      await scheduler.cancelAll(user);
      await forget(user);
    },
    ...handoff,
    // Its reminder comes as remindersChanged.
    replyPending: recordedWithTheSession,
    meetingSet: recordedWithTheSession,
    meetingCleared: recordedWithTheSession,
    verdictReached: recordedWithTheSession,
    optOut: recordedWithTheSession,
    optIn: recordedWithTheSession,
    localeChanged: recordedWithTheSession,
    userJoined: countedByInsights,
    userReturned: countedByInsights,
    questionReached: countedByInsights,
    questionAnswered: countedByInsights,
    followUpAsked: countedByInsights,
    followUpAnswered: countedByInsights,
    invitationRead: countedByInsights,
  } satisfies EffectHandlers;
}

/** A standalone Redis (REDIS_URL) or a Redis Cluster (REDIS_CLUSTER_NODES). */
export function requireRedis(config: Config): RedisTarget {
  if (config.REDIS_CLUSTER_NODES) return { cluster: parseClusterNodes(config.REDIS_CLUSTER_NODES) };
  if (!config.REDIS_URL) {
    throw new Error('REDIS_URL: must be set for `npm start`, or REDIS_CLUSTER_NODES for a Redis Cluster (use `npm run chat` to try the bot without Redis)');
  }
  return { url: config.REDIS_URL };
}

/**
 * Keys written by an earlier version move to this version's names before anything reads
 * them. A process started before Redis is up waits for it here, as it would for readiness.
 */
async function migrateKeys(store: RedisStore, logger: Logger): Promise<void> {
  for (;;) {
    try {
      await store.migrateLayout((message) => logger.info(message));
      return;
    } catch (error) {
      if (store.connected()) throw error;
      logger.warn({ err: error }, 'Redis not reachable yet; the key layout check waits for it');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}

export async function createRuntime({ config, logger, clock, metrics = createMetrics({ defaultMetrics: true }) }: RuntimeOptions): Promise<Runtime> {
  const target = requireRedis(config);
  const content = loadAppContent();
  const store = new RedisStore({ ...target, prefix: config.REDIS_PREFIX, sessionTtlSeconds: config.SESSION_TTL_DAYS * 86_400, ...(clock ? { clock } : {}) });
  await migrateKeys(store, logger);
  // One outage, one line when it starts and one when it ends, however many connections see it.
  const outages = new RedisOutages(logger);
  outages.watch(store.connection, 'store');
  const insights = new InsightsRecorder({ counters: store.insights, timeZone: config.DEFAULT_TIME_ZONE, logger, ...(clock ? { clock } : {}) });
  const scheduler = new ReminderScheduler({ bull: store.queueConnection(), index: store.reminderIndex, logger, insights, ...(clock ? { clock } : {}) });
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
    // An advisor is offered only where someone answers (Slack staff channel or staff page).
    ...(staffRouteConfigured(config) ? { advisor: handoffSettings(config) } : {}),
    effects: effectHandlers({ scheduler, logger, handoffs: () => handoffs.service }),
    ...(clock ? { clock } : {}),
  });
  conversations.onEffects((user, effects, session) => insights.step(user, effects, session));

  const inbox = store.inbox(inboxSettings(config));
  const channelDeps = {
    config,
    store,
    inbox: meteredInbox(inbox, metrics),
    conversations,
    content,
    logger,
    metrics,
    ...(clock ? { clock } : {}),
  };
  const line = lineEnabled(config) ? createLineChannel(channelDeps) : undefined;
  // Built below, once the channels it pushes through exist; effects only reach it after that.
  // eslint-disable-next-line prefer-const -- assigned once the channels exist; the getters above read it later
  let handoffs: Handoffs;
  const staff = config.STAFF_SLACK_CHANNEL ? { channelId: config.STAFF_SLACK_CHANNEL, handoffs: () => handoffs.service } : undefined;
  const slack = isSlackConfigured(config) ? createSlackChannel({ ...channelDeps, advisor: staffRouteConfigured(config), ...(staff ? { staff } : {}) }) : undefined;
  // Every configured channel's face; jobs and the staff API get its pieces, never the channel.
  const faces: ChannelFace[] = [...(line ? [line] : []), ...(slack ? [slack] : [])];
  const senders = Object.fromEntries(faces.map((face) => [face.channel, face.sender]));
  const broadcasters = Object.fromEntries(faces.filter((face) => isBroadcastChannel(face.channel)).map((face) => [face.channel, face.broadcaster]));
  handoffs = createHandoffs({
    config,
    store,
    content,
    logger,
    senders,
    conversation: async (user, event) => (await conversations.handle(user, { kind: 'handoff', event })).messages,
    ...(slack?.staffChannel ? { staffChannel: slack.staffChannel } : {}),
    displayName: async (user) => (user.channel === 'line' ? line?.displayName(user.id) : user.channel === 'slack' ? slack?.displayName(user.id) : undefined),
    insights,
    ...(clock ? { clock } : {}),
  });
  // Previews are pure rendering: the staff page shows every channel, configured here or not.
  const previews = { line: linePreview(content.catalog, config.DEFAULT_TIME_ZONE), slack: slackPreview };

  const serveWebhooks = config.ROLE !== 'worker';
  const broadcasting = createBroadcasting({ config, store, content, logger, metrics, broadcasters, insights, ...(clock ? { clock } : {}) });
  const admin = serveWebhooks ? createAdminPlugin({ config, store, content, service: broadcasting.service, previews, handoffs: handoffs.service, logger, ...(clock ? { clock } : {}) }) : undefined;
  const runsWorker = config.ROLE !== 'web';
  let sweeps: RetentionSweeps | undefined;
  let worker: Worker | undefined;
  const inboxWorker = runsWorker
    ? new InboxWorker({
        inbox,
        handlers: Object.fromEntries(faces.map((face) => [face.channel, face.consume])),
        logger,
        leaseMs: config.INBOX_LEASE_MS,
        redisAway: () => !store.connected(),
        onHandled: (entry, outcome) => {
          if (outcome === 'done') metrics.eventsProcessed.inc({ channel: entry.channel });
        },
      })
    : undefined;
  const app = await buildApp({
    config,
    store,
    conversations,
    logger,
    metrics,
    plugins: serveWebhooks ? [...faces.map((face) => face.plugin), ...(admin ? [admin] : [])] : [],
    readiness: [
      storeReadiness(store),
      ...(runsWorker
        ? [
            workerReadiness('reminderWorker', () => worker),
            { name: 'broadcastWorkers', check: () => broadcasting.running() },
            workerReadiness('handoffWorker', () => handoffs.worker()),
          ]
        : []),
    ],
    acceptWebhooks: () => store.connected(),
  });
  if (serveWebhooks) for (const face of faces) await face.start();

  if (runsWorker) {
    // BullMQ workers block on their connection, so they get their own (closed with the store).
    const bull = store.workerConnection();
    outages.watch(bull.connection, 'workers');
    worker = createReminderWorker({
      bull,
      store,
      batches: store.reminderBatches,
      conversations,
      senders,
      settings,
      logger,
      insights,
      ...(clock ? { clock } : {}),
      onOutcome: (outcome, job) => {
        metrics.remindersFired.inc({ kind: job.data.reminder.kind, outcome });
        if (outcome === 'sent') metrics.reminderLateness.observe(Math.max(0, Date.now() - Date.parse(job.data.reminder.at)) / 1000);
      },
    });
    broadcasting.startWorkers(bull);
    sweeps = startRetentionSweeps({ retention: store.retention, retentionDays: config.USER_RETENTION_DAYS, logger });
    handoffs.startWorker(bull);
    await inboxWorker?.start();
  }
  logger.info({ role: config.ROLE, line: !!line, slack: slack?.mode ?? false, worker: !!worker, partitions: inboxWorker?.held.length }, 'mendan-navi ready');

  return {
    app,
    store,
    conversations,
    scheduler,
    broadcasting,
    handoffs,
    metrics,
    ...(worker ? { worker } : {}),
    ...(inboxWorker ? { inboxWorker } : {}),
    async stop() {
      await app.close();
      // Accepted events not yet taken stay in the inbox for the next worker.
      await whileRedisUp(inboxWorker?.stop(), () => store.connected());
      for (const face of faces) await face.stop();
      if (worker) await closeWorker(worker, () => store.connected());
      await broadcasting.close();
      await whileRedisUp(handoffs.close(), () => store.connected());
      await conversations.drain();
      await scheduler.close();
      sweeps?.stop();
      await store.close();
    },
  };
}
