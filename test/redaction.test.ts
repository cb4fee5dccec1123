/**
 * Secrets, tokens and user ids stay out of the logs: objects that carry them go through the
 * real logger configuration, and real webhooks (good and badly signed) run with a logger
 * that captures every line at debug level.
 */
import type { InboxHandler } from '../src/inbox/types.ts';
import { testWorker } from './support/inbox.ts';
import { Writable } from 'node:stream';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSlackChannel } from '../src/channels/slack/index.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger, REDACTION_CENSOR, redactUrl } from '../src/observability/logger.ts';
import { buildApp } from '../src/server/app.ts';
import { content, createConversations } from './support/conversation.ts';
import { ev, fakeLineApi, lineHarness, LINE_SECRET, LINE_TOKEN, type LineHarness } from './support/line.ts';
import { createRedisStore, deletePrefix, rawRedis, uniquePrefix } from './support/redis.ts';
import { BOT_TOKEN, dmEvent, eventBody, FakeSlack, signedRequest, SIGNING_SECRET, slackEnv } from './support/slack.ts';

const prefix = uniquePrefix('redaction');
const store = createRedisStore(prefix);
const cleanups: (() => Promise<unknown>)[] = [];
beforeAll(() => nock.disableNetConnect());
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  nock.cleanAll();
});
afterAll(async () => {
  nock.enableNetConnect();
  await store.close();
  await deletePrefix(prefix);
});

function capturingLogger() {
  const lines: string[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    }),
  });
  return { logger, text: () => lines.join('\n'), lines };
}

const SECRETS = {
  LINE_CHANNEL_SECRET: 'line-secret-0123456789',
  LINE_CHANNEL_ACCESS_TOKEN: 'line-access-token-abcdef',
  SLACK_SIGNING_SECRET: 'slack-signing-secret-987',
  SLACK_BOT_TOKEN: 'xoxb-1111-2222-bot-token',
  SLACK_APP_TOKEN: 'xapp-1-A0-app-token',
  LOG_USER_SALT: 'salt-that-must-not-leak',
  ADMIN_TOKENS: 'aiko:staff-7d1e9c4a2f6b80e3c5a9d2f1b4e8c0a6',
  REDIS_URL: 'redis://:redis-password-42@redis.internal:6379',
};

describe('the logger', () => {
  it('censors the configuration secrets when a whole config object is logged', () => {
    const { logger, text } = capturingLogger();
    const config = loadConfig({ ...SECRETS, SLACK_API_URL: 'http://slack.test/api/' });
    logger.info({ config }, 'starting');
    logger.info(config, 'flat');
    for (const secret of Object.values(SECRETS)) expect(text()).not.toContain(secret);
    expect(text()).toContain(REDACTION_CENSOR);
    // Harmless settings stay readable.
    expect(text()).toContain('Asia/Tokyo');
  });

  it('censors credentials and signatures in headers and under the usual key names', () => {
    const { logger, text } = capturingLogger();
    logger.info({ req: { headers: { authorization: 'Bearer hdr-token-1', 'x-line-signature': 'lsig-value-2', 'x-slack-signature': 'v0=ssig-value-3', cookie: 'sid=cookie-4' } } });
    logger.info({ headers: { Authorization: 'Bearer hdr-token-5', 'x-line-signature': 'lsig-value-6' } });
    logger.info({ request: { headers: { authorization: 'Bearer hdr-token-7' } } });
    logger.info({ token: 'tok-8', secret: 'sec-9', accessToken: 'acc-10', replyToken: 'reply-11', password: 'pw-12' });
    logger.info({ options: { channelSecret: 'cs-13', signingSecret: 'ss-14', botToken: 'bt-15', appToken: 'at-16' } });
    for (const leaked of ['hdr-token', 'lsig-value', 'ssig-value', 'cookie-4', 'tok-8', 'sec-9', 'acc-10', 'reply-11', 'pw-12', 'cs-13', 'ss-14', 'bt-15', 'at-16']) {
      expect(text()).not.toContain(leaked);
    }
  });

  it('logs a Redis error without the command and keys (which hold user ids) it carries', async () => {
    const { logger, text } = capturingLogger();
    const { redis, keys } = rawRedis(prefix);
    const key = keys.session({ channel: 'line', id: 'U-redis-error-user' });
    await redis.set(key, 'not a hash');
    const error = await redis.hget(key, 'v').catch((e: unknown) => e);
    await redis.quit();
    expect(JSON.stringify((error as { command?: unknown }).command)).toContain('U-redis-error-user');
    logger.error({ err: error }, 'a step failed');
    expect(text()).toContain('WRONGTYPE');
    expect(text()).not.toContain('U-redis-error-user');
  });
});

describe('request URLs and configuration errors', () => {
  it('drops the query of staff API URLs and censors credential-looking parameters elsewhere', () => {
    expect(redactUrl('/api/admin/me?token=abc123&x=1')).toBe(`/api/admin/me?${REDACTION_CENSOR}`);
    expect(redactUrl('/api/admin?anything')).toBe(`/api/admin?${REDACTION_CENSOR}`);
    expect(redactUrl('/admin?token=abc123&lang=en')).toBe(`/admin?token=${REDACTION_CENSOR}&lang=en`);
    expect(redactUrl('/webhooks/line?access_token=a1&Signature=s2&api_key=k3&page=2')).toBe(
      `/webhooks/line?access_token=${REDACTION_CENSOR}&Signature=${REDACTION_CENSOR}&api_key=${REDACTION_CENSOR}&page=2`,
    );
    expect(redactUrl('/healthz')).toBe('/healthz');
  });

  it('logs requests, found or not, with their URLs redacted', async () => {
    const { logger, text } = capturingLogger();
    const app = await buildApp({ config: loadConfig({}), store, conversations: createConversations(store), logger });
    cleanups.push(() => app.close());
    for (const url of ['/api/admin/me?token=qs-token-1', '/nowhere?token=qs-token-2&page=3', '/healthz?secret=qs-token-3']) {
      const response = await app.inject(url);
      expect(response.body).not.toContain('qs-token');
    }
    expect(text()).toContain('/nowhere?token=[redacted]&page=3');
    expect(text()).not.toContain('qs-token');
  });

  it('names a bad REDIS_URL without its password', () => {
    const message = (() => {
      try {
        loadConfig({ REDIS_URL: 'http://:redis-password-42@redis.internal:6379' });
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toContain('REDIS_URL: must start with redis:// or rediss:// (got "http://***@redis.internal:6379")');
    expect(message).not.toContain('redis-password-42');
  });
});

describe('webhook logs', () => {
  let h: LineHarness;

  it('LINE: a badly signed webhook, a good one and a failing API call log no secret, token or user id', async () => {
    const api = fakeLineApi();
    api.state.respond = (call) => (call.path === 'reply' ? [500, { message: 'boom' }] : undefined);
    h = await lineHarness(store);
    cleanups.push(() => h.close());
    const userId = 'U4af4980629a0b2c3d4e5f6a7b8c9d0e1';

    const bad = await h.post([ev.text(userId, 'こんにちは')], { 'x-line-signature': 'aW52YWxpZA==' });
    expect(bad.statusCode).toBe(401);
    const good = await h.post([ev.text(userId, 'こんにちは')]);
    expect(good.statusCode).toBe(200);
    await h.line.idle();

    const text = JSON.stringify(h.logs);
    expect(text).toContain('wrong signature');
    expect(text).toContain('LINE API call failed');
    for (const secret of [LINE_SECRET, LINE_TOKEN, userId, 'aW52YWxpZA==']) expect(text).not.toContain(secret);
  });

  it('LINE: an event of a type we do not handle is skipped, its type logged cut short however long', async () => {
    fakeLineApi();
    h = await lineHarness(store);
    cleanups.push(() => h.close());
    const type = `z${'y'.repeat(200_000)}`;
    const response = await h.post([{ type, mode: 'active', timestamp: Date.now(), webhookEventId: '01HSKIPPEDTYPE', deliveryContext: { isRedelivery: false } }]);
    expect(response.statusCode).toBe(200);
    const skipped = h.logs.find((line) => line.msg === 'LINE event skipped');
    expect(String(skipped?.type)).toBe(`z${'y'.repeat(63)}…`);
    expect(JSON.stringify(h.logs).length).toBeLessThan(20_000);
  });

  it('Slack: a badly signed request and a good event log no secret, token or user id', async () => {
    const fake = new FakeSlack();
    cleanups.push(async () => FakeSlack.cleanup());
    const { logger, text } = capturingLogger();
    const config = loadConfig(slackEnv());
    const conversations = createConversations(store);
    let consume: InboxHandler = async () => undefined;
    const worker = await testWorker(store, { slack: (entry) => consume(entry) }, { logger });
    const slack = createSlackChannel({ config, store, inbox: worker.inbox, conversations, content: content(), logger, retryConfig: { retries: 0 } });
    consume = slack.consume;
    const app = await buildApp({ config, store, conversations, logger, plugins: [slack.plugin] });
    cleanups.push(async () => {
      await app.close();
      await worker.close();
      await slack.stop();
    });
    const userId = 'U0SECRETUSER42';

    const body = eventBody(dmEvent(userId, 'こんにちは'));
    const badRequest = signedRequest(body, { now: new Date(), secret: 'not-the-secret' });
    expect((await app.inject({ ...badRequest, method: 'POST' })).statusCode).toBe(401);
    expect((await app.inject({ ...signedRequest(body, { now: new Date() }), method: 'POST' })).statusCode).toBe(200);
    await worker.worker.settled();
    await slack.idle();
    expect(fake.methods()).toContain('chat.postMessage');

    expect(text()).toContain('bad signature');
    for (const secret of [SIGNING_SECRET, BOT_TOKEN, userId]) expect(text()).not.toContain(secret);
  });
});
