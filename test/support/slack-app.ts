/**
 * The whole app with the Slack channel, on real Redis and the fake Slack Web API, and a
 * conversation worker on an inbox of its own: `send` resolves once the request is handled.
 */
import type { InjectOptions } from 'fastify';
import { createSlackChannel } from '../../src/channels/slack/index.ts';
import { loadConfig } from '../../src/config.ts';
import { buildApp } from '../../src/server/app.ts';
import type { Store } from '../../src/store/types.ts';
import { content, createConversations, silentLogger, testClock } from './conversation.ts';
import { testInbox } from './inbox.ts';
import { createRedisStore, deletePrefix, uniquePrefix } from './redis.ts';
import type { InboxHandler, InboxWriter } from '../../src/inbox/types.ts';
import { InboxWorker } from '../../src/inbox/worker.ts';
import { FakeSlack, signedRequest, slackEnv, type SignedOptions } from './slack.ts';

export interface SlackHarnessOptions {
  env?: Record<string, string>;
  wrapStore?: (store: Store) => Store;
  /** What the webhook writes to (a failing inbox: Redis away at the moment of accepting). */
  wrapInbox?: (inbox: InboxWriter) => InboxWriter;
  /** How the worker hands an entry to the channel (handled twice: a worker that died before acknowledging). */
  wrapConsume?: (consume: InboxHandler) => InboxHandler;
  /** The inbox's shape (a small depth: back-pressure). */
  inbox?: { partitions?: number; maxDepth?: number };
  /** False: no worker until `startWorker()` (what was accepted waits in the inbox). */
  worker?: boolean;
}

export async function slackHarness(options: SlackHarnessOptions = {}) {
  const prefix = uniquePrefix('slack');
  const clock = testClock();
  const redis = createRedisStore(prefix, { clock: clock.read });
  const store = options.wrapStore ? options.wrapStore(redis) : redis;
  const conversations = createConversations(store, { clock: clock.read });
  const config = loadConfig(slackEnv(options.env));
  const fake = new FakeSlack();
  const sleeps: number[] = [];
  const inbox = testInbox(store, options.inbox);
  const slack = createSlackChannel({
    config,
    store,
    inbox: options.wrapInbox ? options.wrapInbox(inbox.inbox) : inbox.inbox,
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
  const consume = options.wrapConsume ? options.wrapConsume(slack.consume) : slack.consume;
  const worker = new InboxWorker({ inbox: inbox.inbox, handlers: { slack: consume }, logger: silentLogger, leaseMs: 5_000 });
  let started = false;
  const startWorker = async () => {
    started = true;
    await worker.start();
  };
  if (options.worker !== false) await startWorker();

  /** Sends a signed request and waits until everything it started has finished. */
  const send = async (body: string, signed: Partial<SignedOptions> = {}) => {
    const response = await app.inject(signedRequest(body, { now: clock.now, ...signed }) as InjectOptions);
    // Redis away: nothing was accepted, and the depth cannot be read either.
    await worker.settled().catch(() => undefined);
    await slack.idle();
    return response;
  };

  const close = async () => {
    await app.close();
    if (started) await worker.stop();
    await slack.stop();
    await inbox.close();
    await redis.close();
    await deletePrefix(prefix);
    FakeSlack.cleanup();
  };

  return { app, slack, worker, startWorker, inbox: inbox.inbox, fake, store, redis, clock, sleeps, send, close };
}

export type SlackHarness = Awaited<ReturnType<typeof slackHarness>>;
