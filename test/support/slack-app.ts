/** The whole app with the Slack channel, on real Redis and the fake Slack Web API. */
import type { InjectOptions } from 'fastify';
import { createSlackChannel } from '../../src/channels/slack/index.ts';
import { loadConfig } from '../../src/config.ts';
import { buildApp } from '../../src/server/app.ts';
import type { Store } from '../../src/store/types.ts';
import { content, createConversations, silentLogger, testClock } from './conversation.ts';
import { createRedisStore, deletePrefix, uniquePrefix } from './redis.ts';
import { FakeSlack, signedRequest, slackEnv, type SignedOptions } from './slack.ts';

export async function slackHarness(options: { env?: Record<string, string>; wrapStore?: (store: Store) => Store } = {}) {
  const prefix = uniquePrefix('slack');
  const clock = testClock();
  const redis = createRedisStore(prefix, { clock: clock.read });
  const store = options.wrapStore ? options.wrapStore(redis) : redis;
  const conversations = createConversations(store, { clock: clock.read });
  const config = loadConfig(slackEnv(options.env));
  const fake = new FakeSlack();
  const sleeps: number[] = [];
  const slack = createSlackChannel({
    config,
    store,
    conversations,
    content: content(),
    logger: silentLogger,
    clock: clock.read,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    retryConfig: { retries: 0 },
  });
  const app = await buildApp({ config, store, conversations, logger: silentLogger, plugins: [slack.plugin] });

  /** Sends a signed request and waits until everything it started has finished. */
  const send = async (body: string, signed: Partial<SignedOptions> = {}) => {
    const response = await app.inject(signedRequest(body, { now: clock.now, ...signed }) as InjectOptions);
    await slack.idle();
    return response;
  };

  const close = async () => {
    await app.close();
    await slack.stop();
    await redis.close();
    await deletePrefix(prefix);
    FakeSlack.cleanup();
  };

  return { app, slack, fake, store, redis, clock, sleeps, send, close };
}

export type SlackHarness = Awaited<ReturnType<typeof slackHarness>>;
