/** The webhook's HTTP contract: signatures, url_verification, body handling, acks, retries. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InboxWriter } from '../src/inbox/types.ts';
import { slackHarness, type SlackHarness } from './support/slack-app.ts';
import { dmEvent, eventBody, FORM, signedRequest } from './support/slack.ts';

describe('POST /webhooks/slack', () => {
  let h: SlackHarness;
  beforeEach(async () => {
    h = await slackHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('answers url_verification with its challenge', async () => {
    const res = await h.send(JSON.stringify({ token: 't', type: 'url_verification', challenge: 'abc123' }));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ challenge: 'abc123' });
  });

  it('refuses a bad signature with 401 and processes nothing', async () => {
    const body = eventBody(dmEvent('U1', 'こんにちは'));
    const res = await h.send(body, { secret: 'not-the-secret' });
    expect(res.statusCode).toBe(401);
    expect(h.fake.calls).toEqual([]);
    expect(await h.store.sessions.get({ channel: 'slack', id: 'U1' })).toBeUndefined();
  });

  it('refuses a body changed after signing', async () => {
    const request = signedRequest(eventBody(dmEvent('U1', 'hi')), { now: h.clock.now });
    const res = await h.app.inject({ ...request, payload: eventBody(dmEvent('U2', 'hi')) });
    expect(res.statusCode).toBe(401);
    expect(h.fake.calls).toEqual([]);
  });

  it('refuses timestamps more than five minutes old, accepts them just inside', async () => {
    const now = Math.floor(h.clock.now.getTime() / 1000);
    const stale = await h.send(eventBody(dmEvent('U1', 'hi')), { timestamp: now - 301 });
    expect(stale.statusCode).toBe(401);
    expect(h.fake.calls).toEqual([]);
    const fresh = await h.send(eventBody(dmEvent('U1', 'hi')), { timestamp: now - 299 });
    expect(fresh.statusCode).toBe(200);
    expect(h.fake.methods()).toContain('chat.postMessage');
  });

  it('refuses a request without signature headers', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/webhooks/slack',
      payload: eventBody(dmEvent('U1', 'hi')),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(401);
  });

  it('answers 400 to a signed but malformed body', async () => {
    expect((await h.send('{"type": "event_callback",')).statusCode).toBe(400);
    expect((await h.send('payload=%7Bnot-json', { contentType: FORM })).statusCode).toBe(400);
    expect(h.fake.calls).toEqual([]);
  });

  it('answers 413 to a body over 1 MiB', async () => {
    const res = await h.send(JSON.stringify({ type: 'event_callback', padding: 'x'.repeat(1024 * 1024) }));
    expect(res.statusCode).toBe(413);
  });

  it('answers Slack’s ssl_check', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/webhooks/slack',
      payload: 'ssl_check=1&token=legacy',
      headers: { 'content-type': FORM },
    });
    expect(res.statusCode).toBe(200);
  });

  it('acknowledges before the work is done', async () => {
    const release = h.fake.hold('users.info');
    const res = await h.app.inject(signedRequest(eventBody(dmEvent('U1', 'hi')), { now: h.clock.now }));
    expect(res.statusCode).toBe(200);
    expect(h.fake.posted).toEqual([]);
    release();
    await h.worker.settled();
    await h.slack.idle();
    expect(h.fake.posted.length).toBeGreaterThan(0);
  });

  it('processes a retried event once', async () => {
    const body = eventBody(dmEvent('U1', 'hi'), 'EvRetried');
    expect((await h.send(body)).statusCode).toBe(200);
    const afterFirst = h.fake.posted.length;
    expect(afterFirst).toBeGreaterThan(0);
    const retry = await h.send(body, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
    expect(retry.statusCode).toBe(200);
    expect(h.fake.posted.length).toBe(afterFirst);
    const session = await h.store.sessions.get({ channel: 'slack', id: 'U1' });
    expect(session?.version).toBe(1);
  });

  it('ignores events it has no use for, with a 200', async () => {
    const res = await h.send(eventBody({ type: 'reaction_added', user: 'U1', reaction: 'tada' }));
    expect(res.statusCode).toBe(200);
    expect(h.fake.calls).toEqual([]);
  });
});

describe('POST /webhooks/slack with Redis unavailable', () => {
  it('answers 503 so Slack retries, and processes nothing', async () => {
    let down = true;
    const h = await slackHarness({
      wrapInbox: (inbox: InboxWriter): InboxWriter => ({
        append: (entries) => (down ? Promise.reject(new Error('connection refused')) : inbox.append(entries)),
      }),
    });
    try {
      const body = eventBody(dmEvent('U1', 'hi'), 'EvWhileDown');
      expect((await h.send(body)).statusCode).toBe(503);
      expect(h.fake.calls).toEqual([]);
      down = false;
      expect((await h.send(body, { headers: { 'x-slack-retry-num': '1' } })).statusCode).toBe(200);
      expect(h.fake.posted.length).toBeGreaterThan(0);
    } finally {
      await h.close();
    }
  });
});
