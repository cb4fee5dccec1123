/**
 * LINE's Messaging API and Slack's Web API, faked by a real HTTP server on 127.0.0.1. For a
 * bot running in another process (`node src/main.ts`) or under load (autocannon), where an
 * in-process interceptor like nock cannot reach or would itself be what is measured.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PlatformCall {
  /** `line:reply`, `line:push`, `line:multicast`, `line:loading`, `line:profile`, or `slack:<method>`. */
  op: string;
  body: unknown;
  retryKey?: string;
  receivedAt: number;
  /** When the answer went out (after any delay). */
  answeredAt?: number;
}

export interface FakePlatformOptions {
  /** Milliseconds to wait before answering a call, by op. */
  delayMs?: Partial<Record<string, number>>;
  /** Keep every call (tests); a benchmark only counts them, to keep memory flat. */
  record?: boolean;
  /** Told about every call once answered (benchmarks time deliveries with it). */
  onCall?: (call: PlatformCall) => void;
}

export interface FakePlatforms {
  readonly lineBaseUrl: string;
  readonly slackApiUrl: string;
  readonly calls: PlatformCall[];
  readonly counts: Map<string, number>;
  waitFor(predicate: (calls: PlatformCall[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startFakePlatforms(options: FakePlatformOptions = {}): Promise<FakePlatforms> {
  const calls: PlatformCall[] = [];
  const counts = new Map<string, number>();
  let ts = 0;

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://fake');
      const text = Buffer.concat(chunks).toString('utf8');
      const op = opOf(request.method ?? 'GET', url.pathname);
      const retryKey = request.headers['x-line-retry-key'];
      const call: PlatformCall = {
        op,
        body: parseBody(text, request.headers['content-type']),
        receivedAt: Date.now(),
        ...(typeof retryKey === 'string' ? { retryKey } : {}),
      };
      counts.set(op, (counts.get(op) ?? 0) + 1);
      if (options.record ?? true) calls.push(call);
      const [status, body] = answer(op, call.body, () => `1764118800.${String(++ts).padStart(6, '0')}`);
      setTimeout(() => {
        call.answeredAt = Date.now();
        response.writeHead(status, { 'content-type': 'application/json', 'x-line-request-id': `fake-${counts.get(op)}` });
        response.end(JSON.stringify(body));
        options.onCall?.(call);
      }, options.delayMs?.[op] ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    lineBaseUrl: base,
    slackApiUrl: `${base}/api/`,
    calls,
    counts,
    async waitFor(predicate, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (!predicate(calls)) {
        if (Date.now() > until) throw new Error(`fake platforms: timed out; calls so far: ${calls.map((c) => c.op).join(', ')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function opOf(method: string, path: string): string {
  if (path.startsWith('/api/')) return `slack:${path.slice('/api/'.length)}`;
  if (path === '/v2/bot/message/reply') return 'line:reply';
  if (path === '/v2/bot/message/push') return 'line:push';
  if (path === '/v2/bot/message/multicast') return 'line:multicast';
  if (path === '/v2/bot/chat/loading/start') return 'line:loading';
  if (method === 'GET' && path.startsWith('/v2/bot/profile/')) return 'line:profile';
  return `other:${method} ${path}`;
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (!text) return undefined;
  if (contentType?.includes('application/json')) return JSON.parse(text);
  return Object.fromEntries(new URLSearchParams(text));
}

function answer(op: string, body: unknown, nextTs: () => string): [number, unknown] {
  const args = (body ?? {}) as Record<string, unknown>;
  switch (op) {
    case 'line:reply':
    case 'line:push':
      return [200, { sentMessages: [] }];
    case 'line:multicast':
      return [200, {}];
    case 'line:loading':
      return [202, {}];
    case 'line:profile':
      return [200, { userId: 'U', displayName: 'Bench', language: 'ja' }];
    case 'slack:conversations.open':
      return [200, { ok: true, channel: { id: `D${String(args.users)}` } }];
    case 'slack:chat.postMessage':
      return [200, { ok: true, channel: args.channel, ts: nextTs() }];
    case 'slack:users.info':
      return [200, { ok: true, user: { id: args.user, locale: 'ja-JP', tz: 'Asia/Tokyo' } }];
    default:
      return op.startsWith('slack:') ? [200, { ok: true }] : [404, { message: 'not faked' }];
  }
}
