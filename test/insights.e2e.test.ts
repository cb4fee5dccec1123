/**
 * Insights end to end, as `npm start` runs: signed LINE webhooks walk users through the
 * diagnosis; the reminder worker fires the evening-before, just-before and follow-up
 * reminders as a moved clock makes them due; users answer the follow-up; staff broadcast a
 * tip and some users opt out within the day; they ask for an advisor and staff answer. The counts must appear exactly in the API and
 * on the staff page (headless Chromium, screenshot kept in test/artifacts/), and the same
 * after a restart on the same Redis. Platform APIs are a fake server on loopback.
 */
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/observability/logger.ts';
import { createMetrics } from '../src/observability/metrics.ts';
import { createRuntime, type Runtime } from '../src/runtime.ts';
import { ADMIN_TOKENS, TOKENS } from './support/admin.ts';
import { content } from './support/conversation.ts';
import { startFakePlatforms, type FakePlatforms } from './support/fake-platforms.ts';
import { ev, LINE_SECRET, LINE_TOKEN, postLineWebhook } from './support/line.ts';
import { deletePrefix, redisUrl, uniquePrefix } from './support/redis.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = new URL('./artifacts/', import.meta.url);
const prefix = uniquePrefix('insights-e2e');

/** Real time, moved forward at will: BullMQ waits in real time, the bot reads this clock. */
const clock = { offset: Date.parse('2026-12-01T01:00:00Z') - Date.now(), read: () => new Date(Date.now() + clock.offset) };
const moveTo = (iso: string) => (clock.offset = Date.parse(iso) - Date.now());

let fake: FakePlatforms;
let runtime: Runtime;
let browser: Browser | undefined;

const silent = createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });
function start(): Promise<Runtime> {
  const config = loadConfig({
    REDIS_URL: redisUrl(),
    REDIS_PREFIX: prefix,
    ROLE: 'all',
    LINE_CHANNEL_SECRET: LINE_SECRET,
    LINE_CHANNEL_ACCESS_TOKEN: LINE_TOKEN,
    LINE_API_BASE_URL: fake.lineBaseUrl,
    LINE_DATA_API_BASE_URL: fake.lineBaseUrl,
    ADMIN_TOKENS,
    LOG_LEVEL: 'silent',
  });
  return createRuntime({ config, logger: silent, clock: clock.read, metrics: createMetrics() });
}

beforeAll(async () => {
  fake = await startFakePlatforms();
  runtime = await start();
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
  await fake?.close();
  await deletePrefix(prefix);
});

const replies = () => fake.calls.filter((c) => c.op === 'line:reply').length;

async function post(event: object): Promise<void> {
  // Sent now by the moved clock, so the reply token is still fresh.
  const response = await postLineWebhook(runtime.app, [{ ...event, timestamp: clock.read().getTime() }]);
  expect(response.statusCode).toBe(200);
}

/** Sends one signed webhook event and waits for the bot's answer to it. */
async function send(event: object): Promise<void> {
  const before = replies();
  await post(event);
  await vi.waitUntil(() => replies() > before, { timeout: 5_000, interval: 10 });
}

const ANSWERS = [
  ['offer_notified', 'no'],
  ['contact_from', 'hr'],
  ['purpose', 'intent'],
  ['first_choice', 'yes'],
  ['other_status', 'none'],
] as const;

async function diagnose(user: string, upTo: number = ANSWERS.length): Promise<void> {
  await send(ev.follow(user));
  for (const [state, value] of ANSWERS.slice(0, upTo)) await send(ev.choice(user, state, value));
  if (upTo < ANSWERS.length) return;
  await send(ev.text(user, '12/2 14:00'));
  await send(ev.choice(user, 'meeting_mode', 'online'));
}

function staff(method: 'GET' | 'POST', url: string, payload?: object) {
  return runtime.app.inject({ method, url, headers: { authorization: `Bearer ${TOKENS.aiko}` }, ...(payload ? { payload } : {}) });
}

async function insights(days = 7) {
  const response = await staff('GET', `/api/admin/insights?days=${days}`);
  expect(response.statusCode).toBe(200);
  return response.json();
}

/** Fires every reminder due by the moved clock, as the queue would have when its time came. */
async function fireDueReminders(): Promise<void> {
  for (const job of await runtime.scheduler.queue.getDelayed()) {
    if (Date.parse(job.data.reminder.at) <= clock.read().getTime()) await job.promote();
  }
}

const A = ['UA1', 'UA2', 'UA3', 'UA4', 'UA5', 'UA6'].map((n) => `${n}${'0'.repeat(29)}`);
const DROPPED = `UD1${'0'.repeat(29)}`;
const ENGLISH = `UE1${'0'.repeat(29)}`;
const TIP = 'meeting_meaning';
let verdict: string;
let api: Record<string, unknown>;

describe('insights', () => {
  it('counts users, the funnel, verdicts, reminders, follow-ups and a broadcast, exactly', { timeout: 90_000 }, async () => {
    for (const user of A) await diagnose(user);
    await diagnose(DROPPED, 2);
    await send(ev.text(ENGLISH, 'English'));
    verdict = (await runtime.store.sessions.get({ channel: 'line', id: A[0]! }))!.value.verdict!;
    expect(verdict).toBeDefined();

    // One user leaves before any reminder: their reminders are cancelled, not skipped.
    await post(ev.unfollow(A[5]!));
    await vi.waitUntil(async () => (await runtime.store.sessions.get({ channel: 'line', id: A[5]! }))?.value.reminders?.length === 0, { timeout: 5_000 });

    // 20:00:30 in Tokyo the evening before: five evening reminders go out.
    moveTo('2026-12-01T11:00:30Z');
    await fireDueReminders();
    await vi.waitUntil(async () => (await insights()).reminders.byKind.find((k: { kind: string }) => k.kind === 'eve').sent === 5, { timeout: 15_000, interval: 100 });
    // 13:45 the next day, with no worker having sent the 12:00 reminder: too late for it.
    moveTo('2026-12-02T04:45:00Z');
    await fireDueReminders();
    await vi.waitUntil(async () => (await insights()).reminders.tooLate === 5, { timeout: 15_000, interval: 100 });
    // 16:00:30, two hours after the meeting: the follow-up question.
    moveTo('2026-12-02T07:00:30Z');
    await fireDueReminders();
    await vi.waitUntil(async () => (await insights()).reminders.sent === 10, { timeout: 15_000, interval: 100 });
    await vi.waitUntil(async () => (await runtime.store.sessions.get({ channel: 'line', id: A[4]! }))?.value.state === '@followup', { timeout: 5_000 });
    for (const user of A.slice(0, 4)) await send(ev.choice(user, '@followup', 'offer'));
    await send(ev.choice(A[4]!, '@followup', 'rejected'));

    // A tip to everyone reachable, then five of them stop tips within the day.
    const created = await runtime.app.inject({
      method: 'POST',
      url: '/api/admin/broadcasts',
      headers: { authorization: `Bearer ${TOKENS.aiko}`, 'idempotency-key': 'insights-e2e' },
      payload: { tipId: TIP },
    });
    expect(created.statusCode).toBe(201);
    const broadcastId = created.json().id as string;
    await vi.waitUntil(async () => (await insights()).broadcasts[0]?.sent === 7, { timeout: 15_000, interval: 100 });
    moveTo('2026-12-02T09:00:00Z');
    for (const user of A.slice(0, 5)) await send(ev.text(user, '配信停止'));

    // The same five ask for an advisor; a staff member answers each from the page 40 minutes later.
    for (const user of A.slice(0, 5)) await send(ev.text(user, 'アドバイザーに相談したい'));
    moveTo('2026-12-02T09:40:30Z');
    const { handoffs } = (await staff('GET', '/api/admin/handoffs')).json() as { handoffs: { id: string }[] };
    expect(handoffs).toHaveLength(5);
    for (const { id } of handoffs) expect((await staff('POST', `/api/admin/handoffs/${id}/messages`, { text: '担当の者です。ご相談を拝見しました。' })).statusCode).toBe(201);

    api = await insights();
    const small = '< 5';
    expect(api).toMatchObject({ from: '2026-11-26', to: '2026-12-02', days: 7, timeZone: 'Asia/Tokyo' });
    expect(api.users).toEqual({
      total: { new: 8, returned: 0, blocked: small, optedOut: 5, optedIn: 0 },
      groups: [
        { channel: 'line', locale: 'ja', new: 7, returned: 0, blocked: small, optedOut: 5, optedIn: 0 },
        { channel: 'line', locale: 'en', new: small, returned: 0, blocked: 0, optedOut: 0, optedIn: 0 },
      ],
    });
    expect(api.funnel).toEqual([
      { state: 'offer_notified', reached: 8, answered: 7, dropOff: small },
      { state: 'contact_from', reached: 7, answered: 7, dropOff: 0 },
      { state: 'purpose', reached: 7, answered: 6, dropOff: small },
      { state: 'first_choice', reached: 6, answered: 6, dropOff: 0 },
      { state: 'other_status', reached: 6, answered: 6, dropOff: 0 },
      { state: 'meeting_date', reached: 6, answered: 6, dropOff: 0 },
      { state: 'meeting_mode', reached: 6, answered: 6, dropOff: 0 },
      { state: 'result', reached: 6 },
    ]);
    expect((api.verdicts as Record<string, unknown>)[verdict]).toBe(6);
    expect((api.meetingModes as Record<string, unknown>)[verdict]).toEqual({ in_person: 0, online: 6, unknown: 0 });
    expect((api.outcomes as Record<string, unknown>)[verdict]).toEqual({ asked: 5, offer: small, waiting: 0, rejected: small, no_answer: 0, offerShare: 0.8 });
    expect(api.reminders).toMatchObject({ planned: 18, sent: 10, quietHours: 0, tooLate: 5, blocked: 0, failed: 0 });
    expect(api.broadcasts).toEqual([
      {
        id: broadcastId,
        headline: { ja: content().catalog.ja.get(`tips.${TIP}.title`), en: content().catalog.en.get(`tips.${TIP}.title`) },
        sendAt: expect.any(String),
        recipients: 7,
        sent: 7,
        failed: 0,
        skipped: 0,
        optOuts: 5,
      },
    ]);
    expect(api.handoffs).toEqual({ requests: 5, answered: 5, medianMinutesToFirstAnswer: 40, overdue: 0 });
    // The days before the first contact show nothing; the 30-day view holds the same.
    expect((api.daily as { date: string; new: unknown }[]).map((d) => [d.date, d.new])).toEqual([
      ['2026-11-26', 0], ['2026-11-27', 0], ['2026-11-28', 0], ['2026-11-29', 0], ['2026-11-30', 0], ['2026-12-01', 8], ['2026-12-02', 0],
    ]);
    expect((await insights(30)).funnel).toEqual(api.funnel);
  });

  it('keeps the counts across a restart on the same Redis', { timeout: 30_000 }, async () => {
    await runtime.stop();
    runtime = await start();
    expect(await insights()).toEqual(api);
  });

  it('is in the API docs and refuses a period it does not offer', async () => {
    const docs = (await runtime.app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(docs.paths['/api/admin/insights'].get.parameters).toContainEqual(expect.objectContaining({ name: 'days', in: 'query' }));
    const bad = await runtime.app.inject({ method: 'GET', url: '/api/admin/insights?days=8', headers: { authorization: `Bearer ${TOKENS.aiko}` } });
    expect(bad.statusCode).toBe(400);
    expect((await runtime.app.inject({ method: 'GET', url: '/api/admin/insights' })).statusCode).toBe(401);
  });

  it('shows the same numbers on the staff page, as charts, tables and CSV', { timeout: 60_000 }, async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install it with \`apt-get install chromium\`.`);
    await runtime.app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(runtime.app.server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'ja-JP', timezoneId: 'Asia/Tokyo', acceptDownloads: true });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => (m.type() === 'error' ? problems.push(m.text()) : undefined));
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${base}/admin`);
    await page.fill('#token', TOKENS.aiko);
    await page.click('#signin-form button[type="submit"]');
    await page.click('[data-view="insights"]');
    await page.selectOption('#insights-days', '7');
    await page.waitForSelector('#insights-panels[data-ready="true"]');

    const cell = (panel: string, row: string, col: string) => page.textContent(`[data-panel="${panel}"] tr[data-row="${row}"] td[data-col="${col}"]`);
    expect(await cell('users', 'line-ja', 'new')).toBe('7');
    expect(await cell('users', 'line-en', 'new')).toBe('< 5');
    expect(await cell('funnel', 'purpose', 'dropOff')).toBe('< 5');
    expect(await cell('funnel', 'result', 'reached')).toBe('6');
    expect(await cell('verdicts', verdict, 'online')).toBe('6');
    expect(await cell('outcomes', verdict, 'share')).toBe('80%');
    expect(await cell('reminders', 'total', 'tooLate')).toBe('5');
    expect(await cell('reminders', 'eve', 'sent')).toBe('5');
    expect(await page.textContent('[data-panel="broadcasts"] tbody tr th')).toBe(content().catalog.ja.get(`tips.${TIP}.title`));
    expect(await page.textContent('[data-panel="broadcasts"] td[data-col="optOuts"]')).toBe('5');
    expect(await cell('handoffs', 'answered', 'value')).toBe('5');
    expect(await page.textContent('[data-panel="handoffs"] .note')).toBe('最初の返信までの時間（中央値）: 40 分');
    // Each chart is drawn (a canvas with pixels), and a table is one click away.
    expect(await page.locator('[data-panel] canvas').count()).toBe(8);
    const users = page.locator('[data-panel="users"]');
    expect(await users.locator('table').isVisible()).toBe(false);
    await users.locator('[data-action="toggle"]').click();
    expect(await users.locator('table').isVisible()).toBe(true);
    expect(await users.locator('.chart-box').isVisible()).toBe(false);

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-panel="funnel"] [data-action="csv"]').click()]);
    const csv = await (await download.createReadStream()).toArray();
    const text = Buffer.concat(csv).toString('utf8');
    expect(text.split('\r\n')[0]).toBe('\uFEFF質問,表示,回答,離脱');
    expect(text).toContain('\r\n面談の目的,7,6,< 5\r\n');

    await page.click('#language');
    await expect.poll(() => page.textContent('[data-panel="users"] h3')).toBe('Users by channel and language');
    await page.click('#language');
    await page.waitForSelector('#insights-panels[data-ready="true"]');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: new URL('insights.png', ARTIFACTS).pathname, fullPage: true });
    expect(problems).toEqual([]);
  });
});
