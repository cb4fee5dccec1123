/**
 * `npm run chat`: talk to the bot in the terminal. In memory by default; with REDIS_URL or
 * `--redis` the conversation lives in Redis and resumes after a restart.
 *   npm run chat -- --lang en       speak English
 *   npm run chat -- --redis         keep state in Redis (REDIS_URL or redis://127.0.0.1:6379)
 *   npm run chat -- --user alice    a different conversation
 */
import { createInterface } from 'node:readline/promises';
import { setTimeout } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { renderForTerminal, readTerminalInput } from '../channels/console/render.ts';
import { loadConfig } from '../config.ts';
import { loadAppContent } from '../app-content.ts';
import type { Catalog } from '../conversation/i18n.ts';
import { ConversationService, type HandleResult } from '../conversation/service.ts';
import { LOCALES, type Inbound, type Locale, type Outbound, type UserRef } from '../conversation/types.ts';
import { createLogger } from '../observability/logger.ts';
import { MemoryStore } from '../store/memory-store.ts';
import { connectRedis } from '../store/redis-connection.ts';
import { RedisStore } from '../store/redis-store.ts';
import type { Store } from '../store/types.ts';

const { values } = parseArgs({
  options: {
    lang: { type: 'string' },
    redis: { type: 'boolean', default: false },
    user: { type: 'string', default: 'local' },
  },
});

/** Lines closer together than this were pasted, not typed. */
const PASTE_GAP_MS = 30;
/** Operator text, not the bot's (so English, here): this terminal runs no reminder worker. */
const NO_WORKER_NOTE = '(npm run chat sends no reminders: a running worker does, with npm start and Redis. See docs/conversation.md#reminders.)';

/**
 * After which message of a turn the note goes: the reminder list, else (reminders were
 * planned) the turn's first message, which confirms the date; -1 for none.
 */
function noteAfter(result: HandleResult, catalog: Catalog): number {
  const headers = LOCALES.map((locale) => catalog[locale].get('system.reminders.header')).filter((h) => h !== undefined);
  const list = result.messages.findIndex((m) => m.kind === 'text' && headers.some((h) => m.text.startsWith(h)));
  if (list >= 0) return list;
  return result.effects.some((e) => e.type === 'remindersChanged' && e.reminders.length > 0) ? 0 : -1;
}

/**
 * The store for the conversation. With Redis unreachable: one line saying so (ioredis would
 * print a stack trace per reconnect attempt to stderr if no one listened for its errors).
 */
async function openStore(useRedis: boolean, url: string | undefined, prefix: string, ttl: number): Promise<Store> {
  if (!useRedis) return new MemoryStore({ sessionTtlSeconds: ttl });
  const target = url ?? 'redis://127.0.0.1:6379';
  const redis = connectRedis(target);
  let lastError = '';
  redis.on('error', (error: Error) => (lastError = error.message));
  const store = new RedisStore({ url: target, prefix, sessionTtlSeconds: ttl }, redis);
  if (await store.ping()) return store;
  redis.disconnect();
  const where = new URL(target).host;
  throw new Error(`Redis did not answer at ${where}${lastError ? ` (${lastError})` : ''}. Start redis-server, or leave out --redis and REDIS_URL to chat in memory.`);
}

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
  const store = await openStore(useRedis, config.REDIS_URL, config.REDIS_PREFIX, ttl);

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
  // The language of the conversation so far: after "delete my data" the next one starts in it.
  let locale = lang as Locale | undefined;
  const turn = async (input: Inbound) => {
    const result = await service.handle(user, input, locale ? { locale } : {});
    if (result.session) locale = result.session.locale;
    const note = noteAfter(result, content.catalog);
    for (const [i, m] of result.messages.entries()) {
      console.log(`\n${renderForTerminal(m)}`);
      if (i === note) console.log(`\n${NO_WORKER_NOTE}`);
      if (m.kind === 'choices' || m.kind === 'dateInput') lastQuestion = m;
    }
  };

  const existing = await store.sessions.get(user);
  if (existing && lang && existing.value.locale !== lang) {
    await turn({ kind: 'text', text: lang === 'en' ? 'english' : '日本語' });
  } else {
    await turn({ kind: 'start' });
  }
  console.log('\n(Ctrl+D to quit)');
  // Piped input (tests, scripts) may close readline before we prompt; prompts are for people anyway.
  const prompt = () => process.stdin.isTTY && !closed && rl.prompt();
  rl.setPrompt('> ');
  prompt();
  // A mail pasted into a terminal arrives as many lines a few milliseconds apart; LINE and
  // Slack deliver it as one message, so gather such a burst into one here too. Piped input
  // (tests, scripts) stays one message per line.
  let pending: Promise<IteratorResult<string>> | undefined;
  const nextMessage = async (): Promise<string | undefined> => {
    const first = await (pending ?? lines.next());
    pending = undefined;
    if (first.done) return undefined;
    if (!process.stdin.isTTY) return first.value;
    const parts = [first.value];
    for (;;) {
      const more = (pending = lines.next());
      const arrived = await Promise.race([more, setTimeout(PASTE_GAP_MS).then(() => undefined)]);
      if (arrived === undefined || arrived.done) break;
      pending = undefined;
      parts.push(arrived.value);
    }
    return parts.join('\n');
  };
  for (let text = await nextMessage(); text !== undefined; text = await nextMessage()) {
    await turn(readTerminalInput(text, lastQuestion));
    prompt();
  }
  rl.close();
  await store.close();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
