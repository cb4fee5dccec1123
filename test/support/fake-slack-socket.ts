/**
 * Slack's Socket Mode on a loopback port, for in-process tests and for processes we kill -9.
 * `apps.connections.open` hands out a WebSocket address on the same port; each socket is
 * greeted with `hello`, and `deliver` sends an envelope over the newest open socket, as Slack
 * sends each envelope over one of an app's connections. Acknowledgements (`envelope_id`) are
 * counted. Every other Web API call is passed on to `webApiUrl` (FakePlatforms, or nock's
 * host in-process); `holdPosts` keeps chat.postMessage calls from getting there, and
 * `dropHeld` discards them, as if Slack never received them.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export type EnvelopeType = 'events_api' | 'interactive' | 'slash_commands';

export class FakeSocketMode {
  /** Acknowledgements per envelope id. */
  readonly acks = new Map<string, number>();
  connectionsOpened = 0;
  url = '';
  private readonly sockets: WebSocket[] = [];
  private readonly held: http.ServerResponse[] = [];
  private holding = false;
  private server: http.Server | undefined;
  private wss: WebSocketServer | undefined;
  private envelopes = 0;
  private readonly webApiUrl: string;

  /** `webApiUrl` ends with `/api/`. */
  constructor(webApiUrl: string) {
    this.webApiUrl = webApiUrl;
  }

  /** Where SLACK_API_URL points. */
  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => void this.handle(req, res, body));
    });
    this.wss = new WebSocketServer({ server: this.server, path: '/socket' });
    this.wss.on('connection', (socket) => {
      this.sockets.push(socket);
      socket.on('message', (data: Buffer) => {
        const { envelope_id: id } = JSON.parse(data.toString()) as { envelope_id?: string };
        if (id) this.acks.set(id, (this.acks.get(id) ?? 0) + 1);
      });
      socket.on('close', () => this.sockets.splice(this.sockets.indexOf(socket), 1));
      socket.send(JSON.stringify({ type: 'hello', num_connections: this.sockets.length }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.dropHeld();
    for (const socket of this.sockets) socket.terminate();
    this.wss?.close();
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** Open sockets now. */
  get open(): number {
    return this.sockets.length;
  }

  /** Sends `payload` as an envelope over the newest socket; answers its id. */
  deliver(type: EnvelopeType, payload: Record<string, unknown>, options: { envelopeId?: string; retryAttempt?: number } = {}): string {
    const socket = this.sockets.at(-1);
    if (!socket) throw new Error('no Socket Mode connection open');
    const envelopeId = options.envelopeId ?? `env-${++this.envelopes}-${Date.now()}`;
    const retry = type === 'events_api' ? { retry_attempt: options.retryAttempt ?? 0, retry_reason: options.retryAttempt ? 'timeout' : '' } : {};
    socket.send(JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: false, ...retry }));
    return envelopeId;
  }

  acked(envelopeId: string): number {
    return this.acks.get(envelopeId) ?? 0;
  }

  holdPosts(): void {
    this.holding = true;
  }

  /** Held posts never reach the Web API (their connections are cut); later ones pass again. */
  dropHeld(): void {
    this.holding = false;
    for (const res of this.held.splice(0)) res.destroy();
  }

  /** Posts held now. */
  get heldPosts(): number {
    return this.held.length;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse, body: string): Promise<void> {
    const method = (req.url ?? '').replace(/^\/api\//, '');
    if (method === 'apps.connections.open') {
      this.connectionsOpened++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, url: `${this.url.replace('http', 'ws')}/socket` }));
      return;
    }
    if (method === 'chat.postMessage' && this.holding) {
      // Not answered: the caller waits until it dies or the post is dropped.
      this.held.push(res);
      return;
    }
    const upstream = await fetch(`${this.webApiUrl}${method}`, {
      method: 'POST',
      headers: { 'content-type': String(req.headers['content-type'] ?? 'application/x-www-form-urlencoded') },
      body,
    });
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' }).end(await upstream.text());
  }
}
