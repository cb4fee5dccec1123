/**
 * `npm run chat`: talk to the bot in the terminal. In memory by default; with REDIS_URL or
 * `--redis` the conversation lives in Redis and resumes after a restart.
 *   npm run chat -- --lang en       speak English
 *   npm run chat -- --redis         keep state in Redis (REDIS_URL or redis://127.0.0.1:6379)
 *   npm run chat -- --user alice    a different conversation
 */
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { renderForTerminal, readTerminalInput } from '../channels/console/render.ts';
import { loadConfig } from '../config.ts';
import { loadAppContent } from '../app-content.ts';
import { ConversationService } from '../conversation/service.ts';
import { LOCALES, type Locale, type Outbound, type UserRef } from '../conversation/types.ts';
import { createLogger } from '../observability/logger.ts';
import { MemoryStore } from '../store/memory-store.ts';
import { RedisStore } from '../store/redis-store.ts';
import type { Store } from '../store/types.ts';

const { values } = parseArgs({
  options: {
    lang: { type: 'string' },
    redis: { type: 'boolean', default: false },
    user: { type: 'string', default: 'local' },
  },
});

async function main(): Promise<void> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
  // Take the iterator before any await: piped lines that arrive early must not be dropped.
  const lines = rl[Symbol.asyncIterator]();
  let closed = false;
  rl.on('close', () => (closed = true));
  const config = loadConfig();
  const lang = values.lang;
  if (lang !== undefined && !LOCALES.includes(lang as Locale)) {
    throw new Error(`--lang must be one of ${LOCALES.join(', ')} (got "${lang}")`);
  }
  const content = loadAppContent();
  const useRedis = values.redis || config.REDIS_URL !== undefined;
  const ttl = config.SESSION_TTL_DAYS * 86_400;
  const store: Store = useRedis
    ? new RedisStore({ url: config.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix: config.REDIS_PREFIX, sessionTtlSeconds: ttl })
    : new MemoryStore({ sessionTtlSeconds: ttl });
  if (useRedis && !(await store.ping())) throw new Error(`Redis did not answer at ${config.REDIS_URL ?? 'redis://127.0.0.1:6379'}`);

  const service = new ConversationService({
    content,
    store,
    logger: createLogger({ level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL }),
    maxDaysAhead: config.MEETING_MAX_DAYS_AHEAD,
    sessionTtlSeconds: config.SESSION_TTL_DAYS * 86_400,
    defaults: { locale: (lang as Locale | undefined) ?? config.DEFAULT_LOCALE, timeZone: config.DEFAULT_TIME_ZONE },
  });
  const user: UserRef = { channel: 'console', id: values.user! };
  let lastQuestion: Outbound | undefined;
  const show = (messages: Outbound[]) => {
    for (const m of messages) {
      console.log(`\n${renderForTerminal(m)}`);
      if (m.kind === 'choices' || m.kind === 'dateInput') lastQuestion = m;
    }
  };

  const existing = await store.sessions.get(user);
  if (existing && lang && existing.value.locale !== lang) {
    show((await service.handle(user, { kind: 'text', text: lang === 'en' ? 'english' : '日本語' })).messages);
  } else {
    show((await service.handle(user, { kind: 'start' })).messages);
  }
  console.log('\n(Ctrl+D to quit)');
  // Piped input (tests, scripts) may close readline before we prompt; prompts are for people anyway.
  const prompt = () => process.stdin.isTTY && !closed && rl.prompt();
  rl.setPrompt('> ');
  prompt();
  for (let next = await lines.next(); !next.done; next = await lines.next()) {
    show((await service.handle(user, readTerminalInput(next.value, lastQuestion))).messages);
    prompt();
  }
  rl.close();
  await store.close();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
