/**
 * Slack for tests: signed webhook requests built the way Slack builds them, and a fake
 * Web API (nock on http://slack.test/api/) that records every call and can be told to fail.
 */
import { createHmac } from 'node:crypto';
import nock from 'nock';
import type { InjectOptions } from 'fastify';

export const SLACK_HOST = 'http://slack.test';
export const SLACK_API_URL = `${SLACK_HOST}/api/`;
export const SIGNING_SECRET = 'test-signing-secret';
export const BOT_TOKEN = 'xoxb-test-token';
export const TEAM_ID = 'T0TEST';
export const APP_ID = 'A0MENDAN';

export function slackEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_API_URL,
    ...extra,
  };
}

// ---------------------------------------------------------------------------- requests

export function sign(body: string, timestamp: number, secret = SIGNING_SECRET): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface SignedOptions {
  /** Seconds since the epoch; defaults to `now`. */
  timestamp?: number;
  now: Date;
  contentType?: string;
  secret?: string;
  headers?: Record<string, string>;
}

export function signedRequest(body: string, options: SignedOptions): InjectOptions {
  const timestamp = options.timestamp ?? Math.floor(options.now.getTime() / 1000);
  return {
    method: 'POST',
    url: '/webhooks/slack',
    payload: body,
    headers: {
      'content-type': options.contentType ?? 'application/json',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': sign(body, timestamp, options.secret),
      ...options.headers,
    },
  };
}

let eventCounter = 0;

export function eventBody(event: Record<string, unknown>, eventId = `Ev${++eventCounter}`): string {
  return JSON.stringify({
    token: 'legacy',
    team_id: TEAM_ID,
    api_app_id: APP_ID,
    type: 'event_callback',
    event_id: eventId,
    event_time: 1_764_118_800,
    event,
  });
}

export function dmEvent(user: string, text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'message', channel: dmOf(user), channel_type: 'im', user, text, ts: `${Date.now() / 1000}`, ...extra };
}

export function interactionBody(payload: Record<string, unknown>): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export function commandBody(user: string, text: string, channel: string, responseUrl: string): string {
  return new URLSearchParams({
    command: '/mendan',
    text,
    user_id: user,
    channel_id: channel,
    team_id: TEAM_ID,
    api_app_id: APP_ID,
    response_url: responseUrl,
    trigger_id: 'trigger',
  }).toString();
}

export const FORM = 'application/x-www-form-urlencoded';

/** The DM id the fake hands out for a user. */
export function dmOf(user: string): string {
  return `D${user}`;
}

// ---------------------------------------------------------------------------- fake Web API

export interface ApiCall {
  method: string;
  args: Record<string, unknown>;
}

interface Reply {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

export type Block = { type: string; block_id?: string; elements?: Element[]; text?: { text: string }; fields?: { text: string }[] };
export type Element = { type: string; action_id: string; value?: string; text?: { text: string } };

export interface PostedMessage {
  channel: string;
  ts: string;
  text: string;
  blocks?: Block[];
}

export class FakeSlack {
  readonly calls: ApiCall[] = [];
  readonly responses: Record<string, unknown>[] = [];
  readonly posted: PostedMessage[] = [];
  readonly profiles = new Map<string, { locale?: string; tz?: string }>();
  private readonly failures = new Map<string, Reply[]>();
  private readonly holds = new Map<string, Promise<void>>();
  private ts = 0;

  constructor() {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1|localhost/);
    nock(SLACK_HOST)
      .persist()
      .post(/^\/api\/[\w.]+$/)
      // nock 15 hands reply functions the fetch Request.
      .reply(async (request: Request) => {
        const method = new URL(request.url).pathname.replace('/api/', '');
        const body = await request.text();
        const gate = this.holds.get(method);
        if (gate) await gate;
        return this.respond(method, body);
      })
      .post(/^\/respond\//)
      .reply(async (request: Request) => {
        this.responses.push(JSON.parse(await request.text()) as Record<string, unknown>);
        return [200, 'ok'];
      });
  }

  static cleanup(): void {
    nock.cleanAll();
    nock.enableNetConnect();
  }

  /** The next call(s) of `method` get these replies, in order, before normal service resumes. */
  failNext(method: string, ...replies: Reply[]): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), ...replies]);
  }

  /** Calls of `method` wait until the returned function is called. */
  hold(method: string): () => void {
    let release!: () => void;
    this.holds.set(method, new Promise<void>((resolve) => (release = resolve)));
    return () => {
      this.holds.delete(method);
      release();
    };
  }

  methods(): string[] {
    return this.calls.map((c) => c.method);
  }

  callsOf(method: string): ApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** The latest message that asks something (has buttons or a picker). */
  lastQuestion(): PostedMessage {
    const question = this.posted.findLast((m) => m.blocks?.some((b) => b.type === 'actions'));
    if (!question) throw new Error(`no question posted; posted: ${JSON.stringify(this.posted.map((m) => m.text))}`);
    return question;
  }

  reset(): void {
    this.calls.length = 0;
    this.posted.length = 0;
    this.responses.length = 0;
  }

  private respond(method: string, raw: string): [number, Record<string, unknown>, Record<string, string>?] {
    const args = parseForm(raw);
    this.calls.push({ method, args });
    const failure = this.failures.get(method)?.shift();
    if (failure) return [failure.status, failure.body, failure.headers];
    return [200, this.success(method, args)];
  }

  private success(method: string, args: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case 'conversations.open':
        return { ok: true, channel: { id: dmOf(String(args.users)) } };
      case 'chat.postMessage': {
        const ts = `1764118800.${String(++this.ts).padStart(6, '0')}`;
        this.posted.push({
          channel: String(args.channel),
          ts,
          text: String(args.text ?? ''),
          ...(args.blocks ? { blocks: args.blocks as Block[] } : {}),
        });
        return { ok: true, channel: args.channel, ts };
      }
      case 'chat.update':
        return { ok: true, channel: args.channel, ts: args.ts };
      case 'chat.postEphemeral':
        return { ok: true, message_ts: '1764118800.999999' };
      case 'views.publish':
        return { ok: true, view: { id: 'V1' } };
      case 'users.info': {
        const profile = this.profiles.get(String(args.user)) ?? { locale: 'ja-JP', tz: 'Asia/Tokyo' };
        return { ok: true, user: { id: args.user, ...profile } };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}

function parseForm(text: string): Record<string, unknown> {
  if (text.startsWith('{')) return JSON.parse(text) as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    args[key] = key === 'blocks' || key === 'view' ? JSON.parse(value) : value;
  }
  return args;
}

// ---------------------------------------------------------------------------- a person clicking

/** The block_actions payload Slack sends when `user` presses the button with `value`. */
export function buttonPress(user: string, message: PostedMessage, value: string): Record<string, unknown> {
  for (const block of message.blocks ?? []) {
    const element = block.elements?.find((e) => e.type === 'button' && e.value === value);
    if (element) {
      return actionPayload(user, message, { ...element, block_id: block.block_id, action_ts: '1764118801.000' });
    }
  }
  throw new Error(`no button "${value}" in ${JSON.stringify(message.blocks)}`);
}

/** The payload of the date-time picker in `message`, set to `at`. */
export function dateTimePick(user: string, message: PostedMessage, at: Date): Record<string, unknown> {
  for (const block of message.blocks ?? []) {
    const element = block.elements?.find((e) => e.type === 'datetimepicker');
    if (element) {
      return actionPayload(user, message, {
        type: 'datetimepicker',
        action_id: element.action_id,
        block_id: block.block_id,
        selected_date_time: Math.floor(at.getTime() / 1000),
        action_ts: '1764118801.000',
      });
    }
  }
  throw new Error(`no date-time picker in ${JSON.stringify(message.blocks)}`);
}

function actionPayload(user: string, message: PostedMessage, action: Record<string, unknown>): Record<string, unknown> {
  return {
    type: 'block_actions',
    user: { id: user, username: 'someone', team_id: TEAM_ID },
    api_app_id: APP_ID,
    token: 'legacy',
    team: { id: TEAM_ID, domain: 'test' },
    container: { type: 'message', message_ts: message.ts, channel_id: message.channel, is_ephemeral: false },
    channel: { id: message.channel, name: 'directmessage' },
    message: { type: 'message', ts: message.ts, text: message.text, blocks: message.blocks, bot_id: 'B0BOT' },
    trigger_id: 'trigger',
    response_url: `${SLACK_HOST}/respond/actions`,
    actions: [action],
  };
}

/** A press of an App Home button. */
export function homePress(user: string, actionId: string): Record<string, unknown> {
  return {
    type: 'block_actions',
    user: { id: user, username: 'someone', team_id: TEAM_ID },
    api_app_id: APP_ID,
    token: 'legacy',
    team: { id: TEAM_ID, domain: 'test' },
    container: { type: 'view', view_id: 'V1' },
    view: { id: 'V1', type: 'home', blocks: [] },
    trigger_id: 'trigger',
    actions: [{ type: 'button', action_id: actionId, block_id: 'home', action_ts: '1764118801.000', text: { type: 'plain_text', text: 'x' } }],
  };
}
