/**
 * The advisor handoff wired from config: offered only when a staff route exists (the Slack
 * staff channel or the staff page), its service, its queue, and its worker where workers run.
 */
import type { Worker } from 'bullmq';
import type { Logger } from 'pino';
import { AuditLog } from '../admin/audit.ts';
import type { ChannelSender } from '../channels/types.ts';
import type { Config } from '../config.ts';
import type { Content } from '../conversation/content.ts';
import type { HandoffInsights } from '../insights/recorder.ts';
import type { Channel, UserRef } from '../conversation/types.ts';
import type { QueueConnection } from '../store/redis-connection.ts';
import type { RedisStore } from '../store/redis-store.ts';
import { handoffSettings, staffRouteConfigured } from './config.ts';
import { createHandoffWorker, HandoffQueue } from './jobs.ts';
import type { ConversationEvent, StaffChannel } from './ports.ts';
import { HandoffService } from './service.ts';
import type { HandoffSettings } from './types.ts';

export interface HandoffRuntimeDeps {
  config: Config;
  store: RedisStore;
  content: Content;
  logger: Logger;
  senders: Partial<Record<Channel, ChannelSender>>;
  conversation: ConversationEvent;
  staffChannel?: StaffChannel;
  /** The name a user goes by on their platform, for the staff. */
  displayName?: (user: UserRef) => Promise<string | undefined>;
  insights?: HandoffInsights;
  clock?: () => Date;
}

export interface Handoffs {
  /** What the conversation needs to offer an advisor; undefined when nobody can answer. */
  offered: HandoffSettings | undefined;
  service: HandoffService;
  /** `lockDurationMs`: how soon a crashed worker's job is taken over (BullMQ's 30 s default in production). */
  startWorker(bull: QueueConnection, options?: { lockDurationMs?: number }): Worker;
  /** The worker once started (readiness asks whether it runs). */
  worker(): Worker | undefined;
  close(): Promise<void>;
}

export function createHandoffs(deps: HandoffRuntimeDeps): Handoffs {
  const { config, store, logger, senders } = deps;
  const log = logger.child({ component: 'handoff' });
  const settings = handoffSettings(config);
  const queue = new HandoffQueue(store.queueConnection(), deps.clock);
  // The queue shares the store's connection, whose outages are logged already.
  queue.queue.on('error', () => undefined);
  const service = new HandoffService({
    store: store.handoffs,
    isBlocked: async (user) => (await store.users.get(user))?.blocked === true,
    push: async (user, messages, retryKey) =>
      senders[user.channel]?.push(user, messages, { retryKey }) ?? { ok: false, reason: 'failed', detail: `${user.channel} is not configured here` },
    conversation: deps.conversation,
    jobs: queue,
    audit: new AuditLog({ store: store.audit, logger: log, ...(deps.clock ? { clock: deps.clock } : {}) }),
    content: deps.content,
    settings,
    staff: { locale: config.DEFAULT_LOCALE, timeZone: config.DEFAULT_TIME_ZONE },
    ...(deps.staffChannel ? { staffChannel: deps.staffChannel } : {}),
    ...(deps.displayName ? { displayName: deps.displayName } : {}),
    ...(deps.insights ? { insights: deps.insights } : {}),
    logger: log,
    ...(deps.clock ? { clock: deps.clock } : {}),
  });
  const offered = staffRouteConfigured(config) ? settings : undefined;
  if (!offered) log.info('advisor handoff off: set STAFF_SLACK_CHANNEL (with the Slack app) or ADMIN_TOKENS so someone can answer');
  let worker: Worker | undefined;
  return {
    offered,
    service,
    startWorker(bull, options = {}) {
      worker = createHandoffWorker({ bull, service: () => service, logger: log, ...options });
      return worker;
    },
    worker: () => worker,
    async close() {
      await worker?.close();
      await queue.close();
    },
  };
}
