/**
 * The staff page's advisor inbox in a real headless Chromium, against the app as
 * `npm start` wires it (createRuntime, real Redis, the handoff worker) with LINE and Slack
 * faked: a LINE user asks, a staff member opens the conversation, takes it, replies, sees
 * the delivery, sees the user's answer arrive, and hands the user back to the bot.
 */
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { signLineBody } from '../src/channels/line/signature.ts';
import { loadConfig } from '../src/config.ts';
import { createMetrics } from '../src/observability/metrics.ts';
import { createRuntime, type Runtime } from '../src/runtime.ts';
import { ADMIN_TOKENS, TOKENS } from './support/admin.ts';
import { content, silentLogger } from './support/conversation.ts';
import { ev, fakeLineApi, LINE_BASE, LINE_SECRET, LINE_TOKEN, webhookBody } from './support/line.ts';
import { deletePrefix, redisUrl, uniquePrefix } from './support/redis.ts';

const CHROMIUM = '/usr/bin/chromium';
const prefix = uniquePrefix('handoff-page');
const ja = (key: string) => content().catalog.ja.get(key)!;
const USER = 'Upage0123456789';

let runtime: Runtime;
let line: ReturnType<typeof fakeLineApi>;
let browser: Browser;
let base: string;
const problems: string[] = [];

async function lineEvent(event: unknown) {
  const payload = webhookBody([event]);
  const res = await runtime.app.inject({ method: 'POST', url: '/webhooks/line', payload, headers: { 'content-type': 'application/json', 'x-line-signature': signLineBody(payload, LINE_SECRET) } });
  expect(res.statusCode).toBe(200);
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: the staff page test needs it (apt-get install chromium).`);
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1/);
  line = fakeLineApi();
  const config = loadConfig({
    REDIS_URL: redisUrl(),
    REDIS_PREFIX: prefix,
    ROLE: 'all',
    LOG_LEVEL: 'silent',
    LINE_CHANNEL_SECRET: LINE_SECRET,
    LINE_CHANNEL_ACCESS_TOKEN: LINE_TOKEN,
    LINE_API_BASE_URL: LINE_BASE,
    ADMIN_TOKENS,
  });
  runtime = await createRuntime({ config, logger: silentLogger, metrics: createMetrics() });
  await runtime.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(runtime.app.server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless', '--disable-gpu', '--no-first-run'] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
  nock.cleanAll();
  nock.enableNetConnect();
  await deletePrefix(prefix);
});

async function openPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.goto(`${base}/admin`);
  return page;
}

describe('the advisor inbox on the staff page', () => {
  it('lists the request, takes it, replies, shows the delivery and the user’s answer, and hands back to the bot', { timeout: 60_000 }, async () => {
    await lineEvent(ev.follow(USER));
    await lineEvent(ev.text(USER, 'アドバイザーに相談したい'));
    await vi.waitUntil(async () => (await runtime.store.handoffs.list(5)).length === 1, { timeout: 10_000 });

    const page = await openPage();
    await page.fill('#token', TOKENS.ken);
    await page.click('#signin-form button[type="submit"]');
    await page.waitForSelector('#views:not([hidden])');
    await page.click('#inbox-tab');
    const item = page.locator('#handoffs li').first();
    await expect.poll(() => item.textContent()).toContain('Test · LINE');
    expect(await item.locator('.badge').first().textContent()).toBe('未対応');

    await item.locator('button.handoff-open').click();
    await expect.poll(() => page.textContent('#detail-name')).toBe('Test · LINE');
    await page.click('#take');
    await expect.poll(() => page.textContent('#detail-status')).toContain('担当: ken');

    await page.fill('#reply-text', 'こんにちは、担当の ken です。ご相談内容を教えてください。');
    await page.click('#reply-send');
    await expect.poll(() => page.locator('#thread li').last().textContent()).toContain('こんにちは、担当の ken です。');
    await expect.poll(() => page.locator('#thread li').last().locator('[data-delivery]').getAttribute('data-delivery')).toBe('sent');
    expect(line.pushes().filter((c) => c.body.to === USER)).toHaveLength(1);

    // The user answers; the page shows it on its next poll.
    await lineEvent(ev.text(USER, '内定後の条件交渉について聞きたいです'));
    await expect.poll(() => page.locator('#thread li').last().textContent(), { timeout: 10_000 }).toContain('内定後の条件交渉について聞きたいです');

    // English is one click away.
    await page.click('#language');
    await expect.poll(() => page.textContent('#inbox-heading')).toBe('Advisor inbox');
    await page.click('#language');

    await page.click('#end');
    await page.click('#end-yes');
    await expect.poll(() => page.textContent('#detail-status')).toContain('終了');
    await expect.poll(() => line.pushes().filter((c) => c.body.to === USER).length).toBe(2);
    const last = line.pushes().filter((c) => c.body.to === USER)[1]!.body.messages.map((m: { text?: string }) => m.text ?? '').join('\n');
    expect(last).toContain(ja('handoff.user.ended_by_staff'));
    expect(problems).toEqual([]);
  });
});
