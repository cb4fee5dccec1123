/**
 * A reminder worker in its own process, for crash tests: the test kills it with SIGKILL.
 * Configured by environment: REDIS_URL, REDIS_PREFIX, LINE_API_BASE_URL, CLOCK_START (ISO,
 * the shifted "now" at process start), LOCK_MS.
 */
import { pino } from 'pino';
import { loadAppContent } from '../../src/app-content.ts';
import { createLineChannel } from '../../src/channels/line/index.ts';
import { loadConfig } from '../../src/config.ts';
import { DEFAULT_REMINDER_SETTINGS } from '../../src/conversation/reminder-plan.ts';
import { ConversationService } from '../../src/conversation/service.ts';
import { createReminderWorker } from '../../src/jobs/reminders/worker.ts';
import { RedisStore } from '../../src/store/redis-store.ts';

const env = process.env;
const offset = Date.parse(env.CLOCK_START!) - Number(env.CLOCK_REAL_START!);
const clock = () => new Date(Date.now() + offset);
const logger = pino({ level: 'silent' });
const config = loadConfig({ ...env, LINE_CHANNEL_SECRET: 's', LINE_CHANNEL_ACCESS_TOKEN: 't' });
const content = loadAppContent();
const store = new RedisStore({ url: env.REDIS_URL!, prefix: env.REDIS_PREFIX!, sessionTtlSeconds: 3600, clock });
const conversations = new ConversationService({
  content,
  store,
  logger,
  clock,
  maxDaysAhead: 180,
  sessionTtlSeconds: 30 * 86_400,
  defaults: { locale: 'ja', timeZone: 'Asia/Tokyo' },
});
const line = createLineChannel({ config, store, conversations, content, logger, clock });
createReminderWorker({
  bull: store.workerConnection(),
  store,
  batches: store.reminderBatches,
  conversations,
  senders: { line: line.sender },
  settings: DEFAULT_REMINDER_SETTINGS,
  logger,
  clock,
  lockDurationMs: Number(env.LOCK_MS),
});
process.stdout.write('worker ready\n');
