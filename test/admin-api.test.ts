/**
 * The staff API over HTTP (app.inject), on real Redis with real workers and a fake LINE
 * server: authentication, tips, audience counts, idempotent creation, progress, cancel,
 * audit log, rate limits, security headers and the OpenAPI document.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate, parseAdminTokens, tokenWeakness } from '../src/admin/auth.ts';
import { ConfigError, loadConfig } from '../src/config.ts';
import { adminHarness, ADMIN_TOKENS, TOKENS, type AdminHarness } from './support/admin.ts';
import { lineId, seedUsers } from './support/broadcast.ts';
import { content } from './support/conversation.ts';

let h: AdminHarness;
beforeAll(async () => {
  h = await adminHarness();
  const soon = new Date(Date.now() + 2 * 86_400_000).toISOString();
  const later = new Date(Date.now() + 20 * 86_400_000).toISOString();
  await seedUsers(h.kit.store, [
    { id: lineId(1), locale: 'ja', verdict: 'offer_meeting', meetingAt: soon },
    { id: lineId(2), locale: 'ja', verdict: 'closing_meeting', meetingAt: later },
    { id: lineId(3), locale: 'en', verdict: 'closing_meeting' },
    { id: lineId(4), locale: 'en' },
    { id: lineId(5), locale: 'ja', optedOut: true, verdict: 'offer_meeting' },
    { id: lineId(6), locale: 'ja', blocked: true },
    { id: lineId(7), locale: 'en', unreachable: true },
    { channel: 'slack', id: 'U0SLACK', locale: 'ja' },
  ]);
});
afterAll(async () => {
  await h.close();
});

let keySeq = 0;
const newKey = () => `test-key-${Date.now()}-${++keySeq}`;

describe('authentication', () => {
  it('refuses requests without a valid bearer token with 401, before looking at the body', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong-token-0123456789' }, { authorization: `Basic ${TOKENS.aiko}` }, { authorization: `Bearer ${TOKENS.aiko}x` }]) {
      const response = await h.app.inject({ method: 'POST', url: '/api/admin/broadcasts', headers, payload: { nonsense: true } });
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toContain('Bearer');
      expect(response.json()).toMatchObject({ error: 'unauthorized' });
    }
    for (const url of ['/api/admin/me', '/api/admin/tips', '/api/admin/broadcasts', '/api/admin/audit']) {
      expect((await h.call('nobody', 'GET', url)).statusCode).toBe(401);
    }
  });

  it('answers 401 without reading the body: an announced megabyte that never arrives does not hold it', async () => {
    const body = new Readable({ read() {} });
    body.push('{"text":{"ja":"');
    const response = await h.app.inject({
      method: 'POST',
      url: '/api/admin/broadcasts',
      headers: { 'content-type': 'application/json', 'content-length': String(1024 * 1024), 'idempotency-key': newKey() },
      payload: body,
    });
    expect(response.statusCode).toBe(401);
    body.destroy();
  });

  it('refuses a token in the query string and keeps it out of the log', async () => {
    const response = await h.call('nobody', 'GET', `/api/admin/me?token=${TOKENS.aiko}`);
    expect(response.statusCode).toBe(401);
    const logged = JSON.stringify(h.logs);
    expect(logged).toContain('/api/admin/me?[redacted]');
    expect(logged).not.toContain(TOKENS.aiko);
  });

  it('knows who is signed in', async () => {
    const me = await h.call('ken', 'GET', '/api/admin/me');
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual({ staff: 'ken', channels: ['line'], locales: ['ja', 'en'], verdicts: ['offer_meeting', 'closing_meeting', 'recruiter_meeting', 'feedback_or_status'], timeZone: 'Asia/Tokyo' });
  });

  it('matches tokens exactly, by digest', () => {
    const parsed = parseAdminTokens(ADMIN_TOKENS);
    if (!parsed.ok) throw new Error(parsed.error);
    expect(authenticate(`Bearer ${TOKENS.aiko}`, parsed.tokens)).toBe('aiko');
    expect(authenticate(`bearer   ${TOKENS.ken}`, parsed.tokens)).toBe('ken');
    expect(authenticate(`Bearer ${TOKENS.aiko.slice(0, -1)}`, parsed.tokens)).toBeUndefined();
    expect(authenticate(`Bearer ${TOKENS.aiko} extra`, parsed.tokens)).toBeUndefined();
    expect(authenticate(undefined, parsed.tokens)).toBeUndefined();
    expect(parsed.tokens.every((t) => !t.digest.toString('utf8').includes('token'))).toBe(true);
  });

  it('refuses bad ADMIN_TOKENS at startup without echoing them', () => {
    expect(parseAdminTokens('aiko:short')).toMatchObject({ ok: false, error: expect.stringContaining('at least 32') });
    expect(parseAdminTokens(`aiko:${TOKENS.aiko},aiko:${TOKENS.ken}`)).toMatchObject({ ok: false, error: expect.stringContaining('twice') });
    expect(parseAdminTokens(`aiko:${TOKENS.aiko},ken:${TOKENS.aiko}`)).toMatchObject({ ok: false, error: expect.stringContaining('someone else') });
    // Long enough, but nothing like random: refused, with how to make a good one.
    for (const weak of ['a'.repeat(40), '0123456789abcdef0123456789abcdef', 'abcdefghijklmnopqrstuvwxyzABCDEFGH', 'abcabcabcabcabcabcabcabcabcabcabc', 'abababababababababcdcdcdcdcdcdcdcd']) {
      expect(tokenWeakness(weak), weak).toMatch(/predictable/);
      expect(parseAdminTokens(`aiko:${weak}`)).toEqual({ ok: false, error: 'entry 1 (aiko): the token is too predictable: use random characters; make one with `openssl rand -hex 24`' });
    }
    // What the message recommends, and the shortest random hex that passes, always pass.
    for (let i = 0; i < 200; i++) {
      expect(tokenWeakness(randomBytes(24).toString('hex'))).toBeUndefined();
      expect(tokenWeakness(randomBytes(16).toString('hex'))).toBeUndefined();
    }
    expect(parseAdminTokens('no-colon-here-at-all')).toMatchObject({ ok: false });
    let message = '';
    try {
      loadConfig({ ADMIN_TOKENS: 'aiko:secret-short' });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toContain('ADMIN_TOKENS');
    expect(message).not.toContain('secret-short');
    expect(loadConfig({ ADMIN_TOKENS }).ADMIN_TOKENS).toBe(ADMIN_TOKENS);
  });
});

describe('tips', () => {
  it('lists the library with title and body in both languages', async () => {
    const response = await h.call('aiko', 'GET', '/api/admin/tips');
    const { tips } = response.json() as { tips: { id: string; title: { ja: string; en: string }; body: { ja: string } }[] };
    expect(tips.map((t) => t.id)).toEqual(content().tips.map((t) => t.id));
    const reply = tips.find((t) => t.id === 'reply_speed')!;
    expect(reply.title.ja).toBe(content().catalog.ja.get('tips.reply_speed.title'));
    expect(reply.title.en).toBe(content().catalog.en.get('tips.reply_speed.title'));
    expect(reply.body.ja.length).toBeGreaterThan(20);
  });
});

describe('audience preview', () => {
  const preview = (filter: unknown) => h.call('aiko', 'POST', '/api/admin/audience/preview', { body: filter });

  it('counts exactly, by channel and language, and says who is excluded and why', async () => {
    const response = await preview({});
    expect(response.statusCode).toBe(200);
    // Slack is not configured in this deployment, so its user is not part of the audience.
    expect(response.json()).toEqual({
      total: 4,
      byChannel: { line: { ja: 2, en: 2 }, slack: { ja: 0, en: 0 } },
      excluded: { blocked: 1, unreachable: 1, optedOut: 1 },
    });
  });

  it.each([
    [{ locales: ['en'] }, 2, { blocked: 0, unreachable: 1, optedOut: 0 }],
    [{ verdicts: ['offer_meeting'] }, 1, { blocked: 0, unreachable: 0, optedOut: 1 }],
    [{ verdicts: ['closing_meeting'], locales: ['ja'] }, 1, { blocked: 0, unreachable: 0, optedOut: 0 }],
    [{ hasMeeting: true }, 2, { blocked: 0, unreachable: 0, optedOut: 0 }],
    [{ hasMeeting: false }, 2, { blocked: 1, unreachable: 1, optedOut: 1 }],
    [{ meetingWithinDays: 7 }, 1, { blocked: 0, unreachable: 0, optedOut: 0 }],
    [{ channels: ['line'], meetingWithinDays: 30, locales: ['ja'] }, 2, { blocked: 0, unreachable: 0, optedOut: 0 }],
  ])('%j selects %i', async (filter, total, excluded) => {
    const response = await preview(filter);
    expect(response.json()).toMatchObject({ total, excluded });
  });

  it('refuses a channel that is not configured and a filter it does not understand', async () => {
    expect((await preview({ channels: ['slack'] })).json()).toMatchObject({ error: 'channel_disabled' });
    expect((await preview({ channels: ['slack'] })).statusCode).toBe(422);
    const bad = await preview({ locales: ['fr'], meetingWithinDays: -1 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues.map((i: { path: string }) => i.path).sort()).toEqual(['locales.0', 'meetingWithinDays']);
  });
});

describe('creating broadcasts', () => {
  const create = (body: unknown, key: string | null = newKey(), as = 'aiko') =>
    h.call(as, 'POST', '/api/admin/broadcasts', { body, headers: key ? { 'idempotency-key': key } : {} });

  it('answers 201 with the id and the frozen audience size, then sends', async () => {
    const response = await create({ tipId: 'reply_speed', filter: { locales: ['en'] } });
    expect(response.statusCode).toBe(201);
    const view = response.json();
    expect(view).toMatchObject({ status: expect.stringMatching(/sending|done/), total: 2, staff: 'aiko', tipId: 'reply_speed', headline: { en: content().catalog.en.get('tips.reply_speed.title') } });
    expect(response.headers.location).toBe(`/api/admin/broadcasts/${view.id}`);
    const done = await h.kit.waitFor(view.id);
    expect(done).toMatchObject({ sent: 2, failed: 0, skipped: 0 });
    const shown = (await h.call('aiko', 'GET', `/api/admin/broadcasts/${view.id}`)).json();
    expect(shown).toMatchObject({ status: 'done', total: 2, sent: 2, failed: 0, skipped: 0, progress: 1, audience: { excluded: { unreachable: 1 } } });
  });

  it('creates one broadcast per Idempotency-Key, even when the request is repeated at once', async () => {
    const key = newKey();
    const body = { text: { ja: '返信は当日中に', en: 'Reply within a day' }, filter: { locales: ['ja'] } };
    const responses = await Promise.all([1, 2, 3, 4, 5].map(() => create(body, key)));
    const ids = new Set(responses.filter((r) => r.statusCode < 300).map((r) => r.json().id));
    expect(ids.size).toBe(1);
    expect(responses.filter((r) => r.statusCode === 201)).toHaveLength(1);
    expect(responses.every((r) => [200, 201, 409].includes(r.statusCode))).toBe(true);
    const again = await create(body, key);
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe([...ids][0]);
    const list = (await h.call('aiko', 'GET', '/api/admin/broadcasts?limit=200')).json().broadcasts as { id: string; headline: { ja: string } }[];
    expect(list.filter((b) => b.headline.ja === '返信は当日中に')).toHaveLength(1);

    // The same key with another body is a client bug, not a new broadcast.
    const other = await create({ ...body, filter: { locales: ['en'] } }, key);
    expect(other.statusCode).toBe(422);
    expect(other.json().error).toBe('idempotency_mismatch');
    // Keys are per staff member: ken's identical key is his own broadcast.
    const ken = await create(body, key, 'ken');
    expect(ken.statusCode).toBe(201);
    expect(ken.json().id).not.toBe([...ids][0]);
  });

  it('compares sendAt as an instant: the same moment written another way is the same request', async () => {
    const key = newKey();
    const at = new Date(Math.ceil((Date.now() + 2 * 86_400_000) / 3_600_000) * 3_600_000);
    const inTokyo = `${new Date(at.getTime() + 9 * 3_600_000).toISOString().slice(0, 19)}+09:00`;
    const body = { text: { ja: '前日に質問を三つ', en: 'Three questions the day before' }, filter: { locales: ['ja'] } };
    const first = await create({ ...body, sendAt: at.toISOString() }, key);
    expect(first.statusCode).toBe(201);
    const again = await create({ ...body, sendAt: inTokyo }, key);
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(first.json().id);
    const later = await create({ ...body, sendAt: new Date(at.getTime() + 60_000).toISOString() }, key);
    expect(later.statusCode).toBe(422);
    await h.call('aiko', 'POST', `/api/admin/broadcasts/${first.json().id}/cancel`);
  });

  it('refuses requests without an Idempotency-Key, with an unknown tip, both sources, or a far sendAt', async () => {
    const missing = await create({ tipId: 'reply_speed' }, null);
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error).toBe('idempotency_key_required');
    expect((await create({ tipId: 'no_such_tip' })).json()).toMatchObject({ error: 'unknown_tip' });
    const both = await create({ tipId: 'reply_speed', text: { ja: 'a', en: 'b' } });
    expect(both.statusCode).toBe(400);
    expect(both.json().message).toContain('either tipId');
    expect((await create({ filter: {} })).statusCode).toBe(400);
    expect((await create({ text: { ja: '   ', en: 'b' } })).statusCode).toBe(400);
    expect((await create({ text: { ja: 'only japanese' } })).statusCode).toBe(400);
    const far = await create({ tipId: 'reply_speed', sendAt: new Date(Date.now() + 100 * 86_400_000).toISOString() });
    expect(far.statusCode).toBe(422);
    expect((await create({ tipId: 'reply_speed', sendAt: 'tomorrow' })).statusCode).toBe(400);
  });

  it('schedules for later: no audience yet; cancelling stops it and is written to the audit log', async () => {
    const sendAt = new Date(Date.now() + 3_600_000).toISOString();
    const created = await create({ tipId: 'manners', sendAt, filter: { verdicts: ['closing_meeting'] } }, newKey(), 'ken');
    expect(created.statusCode).toBe(201);
    const view = created.json();
    expect(view).toMatchObject({ status: 'scheduled', total: null, sendAt, progress: 0 });

    const cancel = await h.call('aiko', 'POST', `/api/admin/broadcasts/${view.id}/cancel`);
    expect(cancel.statusCode).toBe(200);
    expect(cancel.json()).toMatchObject({ status: 'cancelled', cancelledBy: 'aiko' });
    expect((await h.call('aiko', 'POST', `/api/admin/broadcasts/${view.id}/cancel`)).statusCode).toBe(200);

    const { entries } = (await h.call('aiko', 'GET', '/api/admin/audit?limit=200')).json() as { entries: { staff: string; action: string; target: string; detail?: Record<string, unknown> }[] };
    const about = entries.filter((e) => e.target === view.id);
    expect(about.map((e) => [e.action, e.staff])).toEqual([
      ['broadcast.cancel', 'aiko'],
      ['broadcast.create', 'ken'],
    ]);
    expect(about[1]!.detail).toMatchObject({ tipId: 'manners', sendAt, filter: { verdicts: ['closing_meeting'], channels: ['line'] } });
    expect(h.logs.filter((l) => l.audit === true && l.target === view.id).map((l) => l.action)).toEqual(['broadcast.create', 'broadcast.cancel']);
  });

  it('cannot cancel a finished broadcast, and says so', async () => {
    const created = (await create({ tipId: 'manners', filter: { locales: ['ja'] } })).json();
    await h.kit.waitFor(created.id);
    const cancel = await h.call('aiko', 'POST', `/api/admin/broadcasts/${created.id}/cancel`);
    expect(cancel.statusCode).toBe(409);
    expect(cancel.json().error).toBe('already_finished');
    expect((await h.call('aiko', 'GET', '/api/admin/broadcasts/zzz-404')).statusCode).toBe(404);
    expect((await h.call('aiko', 'GET', '/api/admin/broadcasts/BAD:ID')).statusCode).toBe(400);
  });
});

describe('message preview', () => {
  it('shows the LINE and Slack messages as they will be sent, per language', async () => {
    const response = await h.call('aiko', 'POST', '/api/admin/messages/preview', { body: { tipId: 'negotiation' } });
    expect(response.statusCode).toBe(200);
    const preview = response.json();
    const title = content().catalog.ja.get('tips.negotiation.title')!;
    expect(preview.ja.line[0]).toMatchObject({ type: 'flex', altText: expect.stringContaining(title) });
    expect(JSON.stringify(preview.ja.slack.blocks)).toContain(title);
    const text = (await h.call('aiko', 'POST', '/api/admin/messages/preview', { body: { text: { ja: 'こんにちは', en: 'Hello *there*' } } })).json();
    expect(text.en.line).toEqual([{ type: 'text', text: 'Hello *there*' }]);
    expect(text.ja.slack.text).toBe('こんにちは');
  });
});

describe('security headers and documentation', () => {
  it('serves the page with a strict CSP and no framing', async () => {
    const page = await h.app.inject({ method: 'GET', url: '/admin' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const etag = String(page.headers.etag);
    expect((await h.app.inject({ method: 'GET', url: '/admin', headers: { 'if-none-match': etag } })).statusCode).toBe(304);
    expect((await h.app.inject({ method: 'GET', url: '/admin/../package.json' })).statusCode).toBe(404);
    expect((await h.app.inject({ method: 'GET', url: '/admin/app.js' })).headers['content-type']).toContain('javascript');
  });

  it('marks API answers not to be stored or framed', async () => {
    const response = await h.call('aiko', 'GET', '/api/admin/me');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['x-frame-options']).toBe('DENY');
  });

  it('documents the API as OpenAPI at /docs', async () => {
    const spec = (await h.app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(spec.openapi).toBe('3.1.0');
    expect(Object.keys(spec.paths).sort()).toEqual(
      ['/api/admin/audience/preview', '/api/admin/audit', '/api/admin/broadcasts', '/api/admin/broadcasts/{id}', '/api/admin/broadcasts/{id}/cancel', '/api/admin/me', '/api/admin/messages/preview', '/api/admin/tips'].sort(),
    );
    const create = spec.paths['/api/admin/broadcasts'].post;
    expect(create.security).toEqual([{ bearer: [] }]);
    expect(create.parameters.some((p: { in: string; name: string }) => p.in === 'header' && p.name === 'idempotency-key')).toBe(true);
    expect(JSON.stringify(create.requestBody)).toContain('tipId');
    expect(create.responses['201']).toBeDefined();
    expect(spec.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer' });
    const ui = await h.app.inject({ method: 'GET', url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(String(ui.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
  });
});

describe('rate limits', () => {
  it('gives each staff member an allowance, and bad tokens a small one per address', async () => {
    const limited = await adminHarness({ rateLimitPerMinute: 12, workers: false });
    try {
      const statuses = [];
      for (let i = 0; i < 13; i++) statuses.push((await limited.call('aiko', 'GET', '/api/admin/me')).statusCode);
      expect(statuses.slice(0, 12).every((s) => s === 200)).toBe(true);
      expect(statuses[12]).toBe(429);
      // ken is counted apart from aiko.
      expect((await limited.call('ken', 'GET', '/api/admin/me')).statusCode).toBe(200);
      const guesses = [];
      for (let i = 0; i < 14; i++) guesses.push((await limited.call(`guess-${i}-0123456789abcdef`, 'GET', '/api/admin/me')).statusCode);
      expect(guesses.slice(0, 12).every((s) => s === 401)).toBe(true);
      expect(guesses.slice(12)).toEqual([429, 429]);
      const body = (await limited.call('nobody', 'GET', '/api/admin/me')).json();
      expect(body.error).toBe('rate_limited');
      expect((await limited.call('ken', 'GET', '/api/admin/me')).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
