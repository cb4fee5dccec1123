/**
 * The LINE API client against a real HTTP server on loopback: what it sends, and how it
 * reads answers that are slow, cut off or refused (retries, 429 and 409 are in
 * line-delivery.test.ts).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LineApi } from '../src/channels/line/client.ts';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

let server: http.Server;
let base: string;
const seen: Seen[] = [];
let answer: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_req, res) => res.end('{}');

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) });
      answer(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const api = () => new LineApi({ baseUrl: base, dataBaseUrl: base.replace('127.0.0.1', 'localhost'), accessToken: 'token', logger: pino({ level: 'silent' }), retry: { attempts: 1 } });

describe('the LINE API client', () => {
  it('sends the token, the JSON body with its length and the retry key, and returns the request id', async () => {
    answer = (_req, res) => res.writeHead(200, { 'x-line-request-id': 'req-1', 'content-type': 'application/json' }).end('{"sentMessages":[]}');
    const result = await api().push('U1', [{ type: 'text', text: 'こんにちは' }], 'key-1');
    expect(result).toEqual({ ok: true, status: 200, requestId: 'req-1', body: { sentMessages: [] } });
    const call = seen.at(-1)!;
    expect(call.method).toBe('POST');
    expect(call.url).toBe('/v2/bot/message/push');
    expect(call.headers.authorization).toBe('Bearer token');
    expect(call.headers['x-line-retry-key']).toBe('key-1');
    expect(Number(call.headers['content-length'])).toBe(call.body.byteLength);
    expect(JSON.parse(call.body.toString('utf8'))).toEqual({ to: 'U1', messages: [{ type: 'text', text: 'こんにちは' }] });
  });

  it('uploads bytes to the data host as they are', async () => {
    answer = (_req, res) => res.end('{}');
    const bytes = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 255]);
    expect((await api().uploadRichMenuImage('menu-1', bytes, 'image/png')).ok).toBe(true);
    const call = seen.at(-1)!;
    expect(call.headers.host).toMatch(/^localhost:/);
    expect(call.url).toBe('/v2/bot/richmenu/menu-1/content');
    expect(call.headers['content-type']).toBe('image/png');
    expect([...call.body]).toEqual([...bytes]);
  });

  it('gives up on an answer that does not come in time: no status, worth retrying', async () => {
    answer = () => undefined;
    // Without the timeout this would wait until the test's own time is up.
    expect(await api().showLoading('U1', 5, 200)).toMatchObject({ ok: false, status: 0, retryable: true });
  });

  it('reads a refusal: status, LINE’s message with its details, request id', async () => {
    answer = (_req, res) =>
      res.writeHead(400, { 'x-line-request-id': 'req-2' }).end(JSON.stringify({ message: 'The request body has 1 error(s)', details: [{ message: 'must be specified', property: 'messages[0].text' }] }));
    expect(await api().reply('token', [{ type: 'text', text: '' }])).toEqual({
      ok: false,
      status: 400,
      requestId: 'req-2',
      message: 'The request body has 1 error(s) (messages[0].text: must be specified)',
      retryable: false,
    });
  });

  it('takes a body cut off after the status as empty', async () => {
    answer = (_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"sentMes');
      setTimeout(() => res.destroy(), 20);
    };
    expect(await api().reply('token', [{ type: 'text', text: 'hi' }])).toEqual({ ok: true, status: 200, body: {} });
  });
});
