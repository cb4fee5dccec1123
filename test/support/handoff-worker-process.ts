/**
 * The handoff worker in its own process, for crash tests: the test kills it with SIGKILL.
 * Configured by environment: REDIS_URL, REDIS_PREFIX, LINE_API_BASE_URL, LOCK_MS.
 */
import { pino } from 'pino';
import { loadAppContent } from '../../src/app-content.ts';
import { createLineChannel } from '../../src/channels/line/index.ts';
import { loadConfig } from '../../src/config.ts';
import { ConversationService } from '../../src/conversation/service.ts';
import { createHandoffs } from '../../src/handoff/runtime.ts';
import { RedisStore } from '../../src/store/redis-store.ts';

const env = process.env;
const logger = pino({ level: 'silent' });
const config = loadConfig({ ...env, LINE_CHANNEL_SECRET: 's', LINE_CHANNEL_ACCESS_TOKEN: 't' });
const content = loadAppContent();
const store = new RedisStore({ url: env.REDIS_URL!, prefix: env.REDIS_PREFIX!, sessionTtlSeconds: 3600 });
const conversations = new ConversationService({ content, store, logger, maxDaysAhead: 180, sessionTtlSeconds: 86_400, defaults: { locale: 'ja', timeZone: 'Asia/Tokyo' } });
const line = createLineChannel({ config, store, conversations, content, logger });
const handoffs = createHandoffs({
  config,
  store,
  content,
  logger,
  senders: { line: line.sender },
  conversation: async (user, event) => (await conversations.handle(user, { kind: 'handoff', event })).messages,
});
handoffs.startWorker(store.workerConnection(), { lockDurationMs: Number(env.LOCK_MS) });
process.stdout.write('worker ready\n');
