/** `npm start`: reads config, builds the app, serves webhooks, shuts down gracefully. */
import { loadConfig, type Config } from './config.ts';
import { loadAppContent } from './app-content.ts';
import { ConversationService } from './conversation/service.ts';
import { createLogger, setUserTagSalt } from './observability/logger.ts';
import { buildApp } from './server/app.ts';
import { RedisStore } from './store/redis-store.ts';

function requireRedis(config: Config): string {
  if (!config.REDIS_URL) {
    throw new Error('REDIS_URL: must be set for `npm start` (use `npm run chat` to try the bot without Redis)');
  }
  return config.REDIS_URL;
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL });
  setUserTagSalt(config.LOG_USER_SALT);
  const content = loadAppContent();
  const store = new RedisStore({
    url: requireRedis(config),
    prefix: config.REDIS_PREFIX,
    sessionTtlSeconds: config.SESSION_TTL_DAYS * 86_400,
  });
  const conversations = new ConversationService({
    content,
    store,
    logger,
    maxDaysAhead: config.MEETING_MAX_DAYS_AHEAD,
    defaults: { locale: config.DEFAULT_LOCALE, timeZone: config.DEFAULT_TIME_ZONE },
  });
  const app = await buildApp({ config, store, conversations, logger, plugins: [] });
  await app.listen({ port: config.PORT, host: config.HOST });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, 15_000);
    timer.unref();
    await app.close();
    await conversations.drain();
    await store.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
