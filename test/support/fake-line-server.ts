/**
 * A fake LINE Messaging API on a real loopback port, for what nock cannot do: serve another
 * process (a worker we kill -9), hold a request open, or take a million-user benchmark.
 * It behaves like LINE where broadcasts care:
 * - `POST /v2/bot/message/multicast` checks the token, `to` (1..500 ids) and messages (1..5);
 * - a request whose `X-Line-Retry-Key` was already accepted gets 409 and delivers nothing;
 * - more than `ratePerSecond` requests within a second get 429 with `Retry-After`.
 * Tests can script failures and holds; deliveries are counted per user.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface FakeLineOptions {
  token?: string;
  /** Requests per rolling second before 429; undefined: no limit. */
  ratePerSecond?: number;
  /** Seconds sent in Retry-After with a 429. */
  retryAfterSeconds?: number;
  /** Keep every request's ids and messages (tests); off for the benchmark. */
  record?: boolean;
}

export interface MulticastCall {
  at: number;
  status: number;
  retryKey: string | undefined;
  to: string[];
  messages: { type: string; text?: string; altText?: string; contents?: unknown }[];
}

type Scripted = { status: number; body?: unknown; headers?: Record<string, string> };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class FakeLineServer {
  readonly calls: MulticastCall[] = [];
  /** How many times each user id was delivered to (a value above 1 is a double send). */
  readonly deliveries = new Map<string, number>();
  readonly stats = { requests: 0, accepted: 0, duplicates: 0, rateLimited: 0, failed: 0, recipients: 0, doubleDeliveries: 0 };
  private readonly options: Required<Omit<FakeLineOptions, 'ratePerSecond'>> & { ratePerSecond?: number };
  private readonly acceptedKeys = new Set<string>();
  private readonly recent: number[] = [];
  private readonly script: Scripted[] = [];
  private holdNext: { ms: number; onHeld?: () => void } | undefined;
  private server: http.Server | undefined;
  private readonly sockets = new Set<Socket>();
  url = '';

  constructor(options: FakeLineOptions = {}) {
    this.options = { token: options.token ?? 'test-access-token', retryAfterSeconds: options.retryAfterSeconds ?? 1, record: options.record ?? true, ...(options.ratePerSecond ? { ratePerSecond: options.ratePerSecond } : {}) };
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The next requests get these answers (after auth and validation), in order. */
  failNext(...answers: Scripted[]): void {
    this.script.push(...answers);
  }

  /** The next accepted request is delivered at once but answered only after `ms`. */
  holdNextAccepted(ms: number, onHeld?: () => void): void {
    this.holdNext = { ms, ...(onHeld ? { onHeld } : {}) };
  }

  /** The messages each user received, by user id. */
  received(userId: string): MulticastCall['messages'] {
    return this.calls.filter((c) => c.status === 200 && c.to.includes(userId)).flatMap((c) => c.messages);
  }

  accepted(): MulticastCall[] {
    return this.calls.filter((c) => c.status === 200);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const send = (status: number, body: unknown = {}, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', 'x-line-request-id': `fake-${this.stats.requests}`, ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || req.url !== '/v2/bot/message/multicast') return send(404, { message: 'Not found' });
    this.stats.requests++;
    if (req.headers.authorization !== `Bearer ${this.options.token}`) return send(401, { message: 'Authentication failed' });
    let body: { to?: unknown; messages?: unknown };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
    } catch {
      return send(400, { message: 'The request body has 1 error(s)' });
    }
    const to = Array.isArray(body.to) ? (body.to as string[]) : [];
    const messages = Array.isArray(body.messages) ? (body.messages as MulticastCall['messages']) : [];
    const retryKey = typeof req.headers['x-line-retry-key'] === 'string' ? req.headers['x-line-retry-key'] : undefined;
    const call: MulticastCall = { at: Date.now(), status: 0, retryKey, to: this.options.record ? to : [], messages: this.options.record ? messages : [] };
    const answer = (status: number, payload: unknown = {}, headers: Record<string, string> = {}) => {
      call.status = status;
      if (this.options.record) this.calls.push(call);
      send(status, payload, headers);
    };
    if (to.length < 1 || to.length > 500 || messages.length < 1 || messages.length > 5) {
      this.stats.failed++;
      return answer(400, { message: 'The request body has 1 error(s)', details: [{ message: 'size must be between 1 and 500', property: 'to' }] });
    }
    if (retryKey !== undefined && !UUID.test(retryKey)) return answer(400, { message: 'The retry key must be a UUID' });

    if (this.options.ratePerSecond !== undefined) {
      const now = Date.now();
      while (this.recent.length && this.recent[0]! <= now - 1000) this.recent.shift();
      if (this.recent.length >= this.options.ratePerSecond) {
        this.stats.rateLimited++;
        return answer(429, { message: 'The API rate limit has been exceeded. Try again later.' }, { 'retry-after': String(this.options.retryAfterSeconds) });
      }
      this.recent.push(now);
    }
    const scripted = this.script.shift();
    if (scripted) {
      if (scripted.status === 429) this.stats.rateLimited++;
      else this.stats.failed++;
      return answer(scripted.status, scripted.body ?? { message: 'scripted failure' }, scripted.headers);
    }
    if (retryKey && this.acceptedKeys.has(retryKey)) {
      this.stats.duplicates++;
      return answer(409, { message: 'The retry key is already accepted' }, { 'x-line-accepted-request-id': 'earlier' });
    }
    if (retryKey) this.acceptedKeys.add(retryKey);
    this.stats.accepted++;
    this.stats.recipients += to.length;
    for (const id of to) {
      const seen = this.deliveries.get(id) ?? 0;
      if (seen > 0) this.stats.doubleDeliveries++;
      this.deliveries.set(id, seen + 1);
    }
    // Delivered now, whatever becomes of the answer.
    call.status = 200;
    if (this.options.record) this.calls.push(call);
    const hold = this.holdNext;
    if (hold) {
      this.holdNext = undefined;
      hold.onHeld?.();
      await new Promise((resolve) => setTimeout(resolve, hold.ms));
    }
    send(200, { sentMessages: messages.map((_, i) => ({ id: `${this.stats.accepted}-${i}`, quoteToken: 'q' })) });
  }
}
