/**
 * LINE test kit: signed webhook bodies, event builders, a fake Messaging API on nock that
 * records every call, and an app with the LINE channel built around real Redis, with a
 * conversation worker of its own on an inbox of its own: `post` resolves once what it
 * posted has been handled, as if the webhook still did the work in the request.
 */
import { Writable } from 'node:stream';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { createLineChannel, type LineChannel, type LineChannelDeps } from '../../src/channels/line/index.ts';
import { signLineBody } from '../../src/channels/line/signature.ts';
import { loadConfig } from '../../src/config.ts';
import type { ConversationService } from '../../src/conversation/service.ts';
import { InboxWorker } from '../../src/inbox/worker.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { buildApp } from '../../src/server/app.ts';
import type { RedisStore } from '../../src/store/redis-store.ts';
import type { Store } from '../../src/store/types.ts';
import { content, createConversations } from './conversation.ts';
import { createRedisStore, deletePrefix, uniquePrefix } from './redis.ts';
import { testInbox } from './inbox.ts';

export const LINE_SECRET = 'test-channel-secret';
export const LINE_TOKEN = 'test-access-token';

/** The environment of a real `node src/main.ts` (ROLE=all, info logs) whose LINE API is a fake at `lineBaseUrl`. */
export function lineBotProcessEnv(redisUrl: string, prefix: string, lineBaseUrl: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    PORT: '0',
    HOST: '127.0.0.1',
    ROLE: 'all',
    LOG_LEVEL: 'info',
    LINE_CHANNEL_SECRET: LINE_SECRET,
    LINE_CHANNEL_ACCESS_TOKEN: LINE_TOKEN,
    LINE_API_BASE_URL: lineBaseUrl,
    LINE_DATA_API_BASE_URL: lineBaseUrl,
  };
}
export const LINE_BASE = 'http://line.test';
export const LINE_DATA_BASE = 'http://line-data.test';

export function lineConfig() {
  return loadConfig({
    LINE_CHANNEL_SECRET: LINE_SECRET,
    LINE_CHANNEL_ACCESS_TOKEN: LINE_TOKEN,
    LINE_API_BASE_URL: LINE_BASE,
    LINE_DATA_API_BASE_URL: LINE_DATA_BASE,
    LOG_LEVEL: 'silent',
  });
}

// ----------------------------------------------------------------------------- events

let seq = 0;
const nextId = () => `01TESTEVENT${String(++seq).padStart(15, '0')}`;

interface EventOptions {
  id?: string;
  redelivery?: boolean;
  replyToken?: string;
  source?: Record<string, unknown>;
}

function base(userId: string, type: string, options: EventOptions) {
  return {
    type,
    mode: 'active',
    timestamp: Date.parse('2026-11-26T01:00:00Z'),
    source: options.source ?? { type: 'user', userId },
    webhookEventId: options.id ?? nextId(),
    deliveryContext: { isRedelivery: options.redelivery ?? false },
  };
}

function replyable(userId: string, type: string, options: EventOptions) {
  const event = base(userId, type, options);
  return { ...event, replyToken: options.replyToken ?? `rt-${event.webhookEventId}` };
}

export const ev = {
  text: (userId: string, text: string, o: EventOptions = {}) => ({
    ...replyable(userId, 'message', o),
    message: { id: `m${++seq}`, type: 'text', text, quoteToken: 'q' },
  }),
  message: (userId: string, type: string, o: EventOptions = {}) => ({
    ...replyable(userId, 'message', o),
    message: { id: `m${++seq}`, type, ...(type === 'sticker' ? { packageId: '1', stickerId: '1' } : {}) },
  }),
  postback: (userId: string, data: string, params?: Record<string, string>, o: EventOptions = {}) => ({
    ...replyable(userId, 'postback', o),
    postback: { data, ...(params ? { params } : {}) },
  }),
  choice: (userId: string, state: string, value: string, o: EventOptions = {}) =>
    ev.postback(userId, JSON.stringify({ s: state, v: value }), undefined, o),
  follow: (userId: string, o: EventOptions = {}) => ({ ...replyable(userId, 'follow', o), follow: { isUnblocked: false } }),
  unfollow: (userId: string, o: EventOptions = {}) => base(userId, 'unfollow', o),
};

/** The store with some session operations replaced (slow or failing Redis). */
export function storeWithSessions(store: Store, sessions: Partial<Store['sessions']>): Store {
  return {
    sessions: {
      get: (u) => store.sessions.get(u),
      compareAndSet: (u, expected, session) => store.sessions.compareAndSet(u, expected, session),
      ...sessions,
    },
    users: store.users,
    dedupe: store.dedupe,
    deleteUser: (u) => store.deleteUser(u),
    ping: () => store.ping(),
    close: async () => {},
  };
}

export function webhookBody(events: unknown[]): string {
  return JSON.stringify({ destination: 'Ubot', events });
}

/** Posts `events` to an app's LINE webhook, signed as LINE signs them. */
export function postLineWebhook(app: Pick<FastifyInstance, 'inject'>, events: unknown[]): Promise<LightMyRequestResponse> {
  const payload = webhookBody(events);
  return app.inject({
    method: 'POST',
    url: '/webhooks/line',
    payload,
    headers: { 'content-type': 'application/json', 'x-line-signature': signLineBody(payload, LINE_SECRET) },
  });
}

// ----------------------------------------------------------------------------- fake API

export interface Recorded {
  path: string;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON sent to LINE, inspected freely
  retryKey: string | null;
  authorization: string | null;
}
type Answer = readonly [number, unknown?, Record<string, string>?] | undefined;
type Responder = (call: Recorded) => Answer | Promise<Answer>;

/**
 * Answers every Messaging API call and records it. Reply tokens are single-use like on
 * LINE. `respond` can override any answer (return undefined to fall through).
 */
export function fakeLineApi(options: { language?: string } = {}) {
  const calls: Recorded[] = [];
  const usedTokens = new Set<string>();
  const state = { respond: undefined as Responder | undefined, language: options.language ?? 'ja' };
  const record = async (request: Request, path: string): Promise<Recorded> => {
    const text = await request.text();
    const call = {
      path,
      body: text ? JSON.parse(text) : undefined,
      retryKey: request.headers.get('x-line-retry-key'),
      authorization: request.headers.get('authorization'),
    };
    calls.push(call);
    return call;
  };
  const withId = (status: number, body: unknown = {}, headers: Record<string, string> = {}) =>
    [status, body, { 'x-line-request-id': `req-${calls.length}`, ...headers }] as const;

  const scope = nock(LINE_BASE)
    .persist()
    .post('/v2/bot/message/reply')
    .reply(async (request: Request) => {
      const call = await record(request, 'reply');
      const custom = await state.respond?.(call);
      if (custom) return withId(...(custom as [number, unknown?, Record<string, string>?]));
      if (usedTokens.has(call.body.replyToken)) return withId(400, { message: 'Invalid reply token' });
      usedTokens.add(call.body.replyToken);
      return withId(200, { sentMessages: [] });
    })
    .post('/v2/bot/message/push')
    .reply(async (request: Request) => {
      const call = await record(request, 'push');
      const custom = await state.respond?.(call);
      return custom ? withId(...(custom as [number, unknown?, Record<string, string>?])) : withId(200, { sentMessages: [] });
    })
    .post('/v2/bot/message/multicast')
    .reply(async (request: Request) => {
      const call = await record(request, 'multicast');
      const custom = await state.respond?.(call);
      return custom ? withId(...(custom as [number, unknown?, Record<string, string>?])) : withId(200, {});
    })
    .post('/v2/bot/chat/loading/start')
    .reply(async (request: Request) => {
      const call = await record(request, 'loading');
      const custom = await state.respond?.(call);
      return custom ? withId(...(custom as [number, unknown?, Record<string, string>?])) : withId(202, {});
    })
    .get(/^\/v2\/bot\/profile\/[^/]+$/)
    .reply(async (request: Request) => {
      const call = await record(request, `profile:${new URL(request.url).pathname.split('/').pop()}`);
      const custom = await state.respond?.(call);
      if (custom) return withId(...(custom as [number, unknown?, Record<string, string>?]));
      return withId(200, { userId: 'x', displayName: 'Test', language: state.language });
    });

  return {
    calls,
    state,
    replies: () => calls.filter((c) => c.path === 'reply'),
    pushes: () => calls.filter((c) => c.path === 'push'),
    multicasts: () => calls.filter((c) => c.path === 'multicast'),
    /** Every message sent to a user, by reply or push, in order. */
    sentTo: (userId: string, tokenPrefix?: string) =>
      calls
        .filter((c) => (c.path === 'push' && c.body.to === userId) || (c.path === 'multicast' && c.body.to.includes(userId)) || (c.path === 'reply' && (!tokenPrefix || c.body.replyToken.startsWith(tokenPrefix))))
        .flatMap((c) => c.body.messages),
    done: () => scope.persist(false),
  };
}

// ----------------------------------------------------------------------------- app

export interface LineHarness {
  app: FastifyInstance;
  line: LineChannel;
  conversations: ConversationService;
  /** The worker that takes this app's webhook events from its inbox. */
  worker: InboxWorker;
  logs: Record<string, unknown>[];
  /** Posts a signed webhook and resolves once the worker has handled what it accepted. */
  post(events: unknown[] | string, headers?: Record<string, string | undefined>): Promise<LightMyRequestResponse>;
  /** Posts a signed webhook and resolves with LINE's answer, without waiting for the worker. */
  accept(events: unknown[] | string, headers?: Record<string, string | undefined>): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export interface LineHarnessOptions {
  clock?: () => Date;
  channel?: LineChannelDeps['options'];
  conversations?: ConversationService;
}

export async function lineHarness(store: Store, options: LineHarnessOptions = {}): Promise<LineHarness> {
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) logs.push(JSON.parse(line));
        done();
      },
    }),
  });
  const config = lineConfig();
  const conversations = options.conversations ?? createConversations(store, options.clock ? { clock: options.clock } : {});
  const inbox = testInbox(store);
  const line = createLineChannel({
    config,
    store,
    inbox: inbox.inbox,
    conversations,
    content: content(),
    logger,
    ...(options.clock ? { clock: options.clock } : {}),
    options: { sleep: async () => {}, loadingAfterMs: 60_000, profileTimeoutMs: 1_000, ...options.channel },
  });
  const app = await buildApp({ config, store, conversations, logger, plugins: [line.plugin] });
  const worker = new InboxWorker({ inbox: inbox.inbox, handlers: { line: line.consume }, logger, leaseMs: 5_000 });
  await worker.start();
  const accept = (events: unknown[] | string, headers: Record<string, string | undefined> = {}) => {
    const payload = typeof events === 'string' ? events : webhookBody(events);
    const signature = 'x-line-signature' in headers ? headers['x-line-signature'] : signLineBody(payload, LINE_SECRET);
    const { 'x-line-signature': _, ...rest } = headers;
    return app.inject({
      method: 'POST',
      url: '/webhooks/line',
      payload,
      headers: { 'content-type': 'application/json; charset=utf-8', ...(signature !== undefined ? { 'x-line-signature': signature } : {}), ...rest },
    });
  };
  return {
    app,
    line,
    conversations,
    worker,
    logs,
    accept,
    async post(events, headers = {}) {
      const response = await accept(events, headers);
      // Redis away: nothing was accepted, and the depth cannot be read either.
      await worker.settled().catch(() => undefined);
      return response;
    },
    async close() {
      await app.close();
      await worker.stop();
      await line.idle();
      await inbox.close();
    },
  };
}

// ----------------------------------------------------------------------------- test bed

/** A LINE user id of its own for each test (U, a name for the reader, random hex). */
export const uid = (name: string): string => `U${name}${Math.random().toString(16).slice(2, 10)}`;

export interface LineTestbed {
  readonly prefix: string;
  /** The file's store on real Redis, under its own prefix (set before the first test). */
  store: RedisStore;
  /** The fake Messaging API, fresh for each test. */
  api: ReturnType<typeof fakeLineApi>;
  /** The app with the LINE channel, fresh for each test (not built with `harness: false`). */
  h: LineHarness;
}

/**
 * What every LINE test file sets up: a store under its own prefix, nock closed to the
 * network, and before each test a fresh fake Messaging API and (unless `harness: false`) a
 * fresh app; everything is closed and deleted after. `harness` gives each test's options.
 */
export function lineTestbed(name: string, options: { harness?: false | (() => LineHarnessOptions) } = {}): LineTestbed {
  const bed = { prefix: uniquePrefix(name) } as LineTestbed;
  beforeAll(() => {
    nock.disableNetConnect();
    bed.store = createRedisStore(bed.prefix);
  });
  afterAll(async () => {
    nock.enableNetConnect();
    await bed.store.close();
    await deletePrefix(bed.prefix);
  });
  beforeEach(async () => {
    bed.api = fakeLineApi();
    if (options.harness !== false) bed.h = await lineHarness(bed.store, options.harness?.() ?? {});
  });
  afterEach(async () => {
    if (options.harness !== false) await bed.h.close();
    nock.cleanAll();
  });
  return bed;
}
