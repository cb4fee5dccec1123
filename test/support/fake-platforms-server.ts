/**
 * LINE's and Slack's APIs on one loopback port, for processes we kill -9 (nock serves only
 * its own process). Records every answer a user got; `holdProfiles` keeps LINE profile
 * calls open (an event stuck mid-way) until `releaseProfiles`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Answer {
  via: 'reply' | 'push' | 'slack';
  /** LINE: the reply token or push recipient; Slack: the channel. */
  to: string;
  retryKey?: string;
  texts: string[];
}

export class FakePlatforms {
  readonly answers: Answer[] = [];
  profileRequests = 0;
  private held: (() => void)[] = [];
  private holding = false;
  private readonly usedTokens = new Set<string>();
  private readonly acceptedRetryKeys = new Set<string>();
  private server: http.Server | undefined;
  url = '';

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => this.handle(req, res, body));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  holdProfiles(): void {
    this.holding = true;
  }

  releaseProfiles(): void {
    this.holding = false;
    for (const release of this.held.splice(0)) release();
  }

  async stop(): Promise<void> {
    this.releaseProfiles();
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    const json = (status: number, value: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(value));
    };
    const url = req.url ?? '';
    if (url.startsWith('/v2/bot/profile/')) {
      this.profileRequests++;
      const answer = () => json(200, { userId: url.split('/').pop(), displayName: 'Test', language: 'ja' });
      if (this.holding) this.held.push(answer);
      else answer();
      return;
    }
    if (url === '/v2/bot/message/reply') {
      const { replyToken, messages } = JSON.parse(body) as { replyToken: string; messages: { text?: string; altText?: string }[] };
      if (this.usedTokens.has(replyToken)) return json(400, { message: 'Invalid reply token' });
      this.usedTokens.add(replyToken);
      this.answers.push({ via: 'reply', to: replyToken, texts: messages.map((m) => m.text ?? m.altText ?? '') });
      return json(200, { sentMessages: [] });
    }
    if (url === '/v2/bot/message/push') {
      const key = String(req.headers['x-line-retry-key'] ?? '');
      if (key && this.acceptedRetryKeys.has(key)) return json(409, { message: 'The retry key is already accepted' }, { 'x-line-accepted-request-id': 'r1' });
      if (key) this.acceptedRetryKeys.add(key);
      const { to, messages } = JSON.parse(body) as { to: string; messages: { text?: string; altText?: string }[] };
      this.answers.push({ via: 'push', to, retryKey: key, texts: messages.map((m) => m.text ?? m.altText ?? '') });
      return json(200, { sentMessages: [] });
    }
    if (url.startsWith('/v2/bot/')) return json(200, {});
    if (url.startsWith('/api/')) return this.slack(url.slice('/api/'.length), body, json);
    json(404, { message: 'not found' });
  }

  private slack(method: string, body: string, json: (status: number, value: unknown) => void): void {
    const args = Object.fromEntries(new URLSearchParams(body)) as Record<string, string>;
    const parsed = body.startsWith('{') ? (JSON.parse(body) as Record<string, string>) : args;
    switch (method) {
      case 'conversations.open':
        return json(200, { ok: true, channel: { id: `D${parsed.users}` } });
      case 'users.info':
        return json(200, { ok: true, user: { id: parsed.user, locale: 'ja-JP', tz: 'Asia/Tokyo' } });
      case 'chat.postMessage':
        this.answers.push({ via: 'slack', to: String(parsed.channel), texts: [String(parsed.text ?? '')] });
        return json(200, { ok: true, channel: parsed.channel, ts: `${Date.now() / 1000}` });
      default:
        return json(200, { ok: true });
    }
  }
}
