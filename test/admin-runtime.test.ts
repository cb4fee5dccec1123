/**
 * The staff API as `npm start` wires it (createRuntime): on with ADMIN_TOKENS, sending
 * through the runtime's own workers to a fake LINE server; off, with a log line, without.
 */
import { Writable } from 'node:stream';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/observability/logger.ts';
import { createMetrics } from '../src/observability/metrics.ts';
import { createRuntime, type Runtime } from '../src/runtime.ts';
import { ADMIN_TOKENS, TOKENS } from './support/admin.ts';
import { LINE_TOKEN, lineId } from './support/broadcast.ts';
import { FakeLineServer } from './support/fake-line-server.ts';
import { deletePrefix, redisUrl, uniquePrefix } from './support/redis.ts';

const prefix = uniquePrefix('admin-runtime');
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => deletePrefix(prefix));

async function start(env: Record<string, string>): Promise<{ runtime: Runtime; logs: Record<string, unknown>[]; line: FakeLineServer }> {
  const line = new FakeLineServer({ token: LINE_TOKEN });
  const url = await line.start();
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: 'info',
    destination: new Writable({
      write(chunk, _enc, done) {
        for (const text of String(chunk).split('\n').filter(Boolean)) logs.push(JSON.parse(text));
        done();
      },
    }),
  });
  const config = loadConfig({
    REDIS_URL: redisUrl(),
    REDIS_PREFIX: `${prefix}${Math.random().toString(36).slice(2, 8)}:`,
    ROLE: 'all',
    LINE_CHANNEL_SECRET: 'test-channel-secret',
    LINE_CHANNEL_ACCESS_TOKEN: LINE_TOKEN,
    LINE_API_BASE_URL: url,
    LINE_DATA_API_BASE_URL: url,
    ...env,
  });
  const runtime = await createRuntime({ config, logger, metrics: createMetrics() });
  cleanups.push(() => line.stop(), () => runtime.stop());
  return { runtime, logs, line };
}

describe('the runtime', () => {
  it('serves the staff API with ADMIN_TOKENS and sends broadcasts from its workers', async () => {
    const { runtime, line } = await start({ ADMIN_TOKENS });
    await runtime.store.users.update({ channel: 'line', id: lineId(1) }, { locale: 'en' });
    await runtime.store.users.update({ channel: 'line', id: lineId(2) }, { locale: 'ja' });
    const created = await runtime.app.inject({
      method: 'POST',
      url: '/api/admin/broadcasts',
      headers: { authorization: `Bearer ${TOKENS.aiko}`, 'idempotency-key': 'runtime-1' },
      payload: { tipId: 'online_setup' },
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    for (let i = 0; i < 200; i++) {
      const view = (await runtime.app.inject({ method: 'GET', url: `/api/admin/broadcasts/${id}`, headers: { authorization: `Bearer ${TOKENS.aiko}` } })).json();
      if (view.status === 'done') break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(line.deliveries.size).toBe(2);
    expect(line.accepted()).toHaveLength(2);
    expect((await runtime.app.inject({ method: 'GET', url: '/admin' })).statusCode).toBe(200);
    expect(runtime.broadcasting.running()).toBe(true);
  });

  it('leaves the staff API off without ADMIN_TOKENS, and says how to turn it on', async () => {
    const { runtime, logs } = await start({});
    expect((await runtime.app.inject({ method: 'GET', url: '/api/admin/me' })).statusCode).toBe(404);
    expect((await runtime.app.inject({ method: 'GET', url: '/admin' })).statusCode).toBe(404);
    expect(logs.some((l) => String(l.msg).includes('set ADMIN_TOKENS'))).toBe(true);
  });
});
