/**
 * Slow clients against the real HTTP server on loopback (not inject: deadlines live in
 * Node's socket handling). A client that announces a body and stops sending, or never ends
 * its headers, is cut at the deadline; a shutdown cuts such connections and idle keep-alives
 * at once while a request already read in full still gets its answer.
 *
 * The last test sends SIGTERM to `node src/main.ts` as Docker would. Nothing here may import
 * nock (test/support/line.ts does): once loaded, raw sockets in this process stop seeing closes.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { buildApp } from '../src/server/app.ts';
import { HTTP_DEADLINE_MS } from '../src/server/connections.ts';
import { createConversations, silentLogger } from './support/conversation.ts';
import { createRedisStore, deletePrefix, redisUrl, uniquePrefix } from './support/redis.ts';

const prefix = uniquePrefix('slow-client');
const store = createRedisStore(prefix);
afterAll(async () => {
  await store.close();
  await deletePrefix(prefix);
});

const DEADLINE_MS = 1_000;
const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

const routes: FastifyPluginAsync = async (app) => {
  app.post('/upload', async (request) => ({ received: JSON.stringify(request.body).length }));
  app.get('/slow', async () => {
    await new Promise((resolve) => setTimeout(resolve, 700));
    return { done: true };
  });
};

async function start(httpDeadlineMs?: number): Promise<{ app: FastifyInstance; port: number }> {
  const app = await buildApp({
    config: loadConfig({}),
    store,
    conversations: createConversations(store),
    logger: silentLogger,
    plugins: [routes],
    ...(httpDeadlineMs ? { httpDeadlineMs } : {}),
  });
  apps.push(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, port: (app.server.address() as net.AddressInfo).port };
}

interface RawClient {
  socket: net.Socket;
  received: () => string;
  closedAt: Promise<number>;
}

async function connect(port: number, send: string): Promise<RawClient> {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let data = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (data += chunk));
  socket.on('error', () => {});
  const closedAt = once(socket, 'close').then(() => Date.now());
  socket.write(send);
  return { socket, received: () => data, closedAt };
}

/** Headers for a 1 MB JSON body, and the first 11 bytes of it. */
const STALLED_UPLOAD = 'POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1048576\r\n\r\n{"a":"bbbbb';

describe('slow clients', () => {
  it('uses 15 s request, header and idle deadlines in production', async () => {
    const { app } = await start();
    expect(HTTP_DEADLINE_MS).toBe(15_000);
    expect(app.server.requestTimeout).toBe(15_000);
    expect(app.server.headersTimeout).toBe(15_000);
    expect(app.server.timeout).toBe(15_000);
  });

  it('cuts an upload that stalls after 11 of 1,048,576 bytes at the deadline, and keeps serving others', async () => {
    const { port } = await start(DEADLINE_MS);
    const started = Date.now();
    const client = await connect(port, STALLED_UPLOAD);
    const closedAt = await client.closedAt;
    expect(closedAt - started).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
    expect(closedAt - started).toBeLessThan(DEADLINE_MS + 1_500);
    // Whichever deadline fires first: the request one answers 408, the idle one just hangs up.
    expect(client.received()).toMatch(/^$|^HTTP\/1\.1 408 /);
    const healthy = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(healthy.status).toBe(200);
  });

  it('cuts a client that never finishes its headers at the deadline', async () => {
    const { port } = await start(DEADLINE_MS);
    const started = Date.now();
    const client = await connect(port, 'POST /upload HTTP/1.1\r\nHost: x\r\n');
    expect((await client.closedAt) - started).toBeLessThan(DEADLINE_MS + 1_500);
  });

  it('a complete upload within the deadline is answered', async () => {
    const { port } = await start(DEADLINE_MS);
    const response = await fetch(`http://127.0.0.1:${port}/upload`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ a: 'b'.repeat(100_000) }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: 100_008 });
  });

  it('on close, cuts idle, half-sent and stalled connections at once and answers the request in flight', async () => {
    // The production deadline: only the shutdown may end these connections in this test.
    const { app, port } = await start();
    const idle = await connect(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await expect.poll(() => idle.received()).toMatch(/^HTTP\/1\.1 200 /);
    const stalled = await connect(port, STALLED_UPLOAD);
    const halfHeaders = await connect(port, 'POST /upload HTTP/1.1\r\nHost: x\r\n');
    const busy = await connect(port, 'GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 100)); // let the server read them all

    const closeStarted = Date.now();
    const closed = app.close().then(() => Date.now());
    for (const client of [idle, stalled, halfHeaders]) expect((await client.closedAt) - closeStarted).toBeLessThan(300);
    expect(busy.socket.closed).toBe(false);

    await busy.closedAt;
    expect(busy.received()).toMatch(/^HTTP\/1\.1 200 [^]*connection: close[^]*\{"done":true\}$/i);
    // close() waited for the slow answer (700 ms) and not for any deadline.
    expect((await closed) - closeStarted).toBeLessThan(2_000);
    apps.splice(apps.indexOf(app), 1);
  });

  it('node src/main.ts on SIGTERM cuts stalled, half-sent and idle connections and exits 0 at once', async () => {
    const proc = spawn(process.execPath, ['src/main.ts'], {
      env: { PATH: process.env.PATH, REDIS_URL: redisUrl(), REDIS_PREFIX: `${prefix}main:`, PORT: '0', HOST: '127.0.0.1', ROLE: 'web', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = once(proc, 'exit').then(([code]) => ({ code: code as number | null, at: Date.now() }));
    let output = '';
    const port = await new Promise<number>((resolve, reject) => {
      proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
        const match = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
        if (match) resolve(Number(match[1]));
      });
      proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      void exited.then(() => reject(new Error(`exited before listening:\n${output}`)));
    });
    try {
      const stalled = await connect(port, STALLED_UPLOAD.replace('/upload', '/webhooks/line'));
      const halfHeaders = await connect(port, 'POST /webhooks/line HTTP/1.1\r\nHost: x\r\n');
      const idle = await connect(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      await expect.poll(() => idle.received()).toMatch(/^HTTP\/1\.1 200 /);

      const signalledAt = Date.now();
      proc.kill('SIGTERM');
      for (const client of [stalled, halfHeaders, idle]) expect((await client.closedAt) - signalledAt).toBeLessThan(1_000);
      const { code, at } = await exited;
      expect(code).toBe(0);
      expect(at - signalledAt).toBeLessThan(3_000);
      expect(output).toContain('shutdown complete');
    } finally {
      if (proc.exitCode === null) proc.kill('SIGKILL');
    }
  });
});
