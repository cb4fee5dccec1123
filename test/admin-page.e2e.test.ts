/**
 * The staff page in a real headless Chromium (Debian's, via playwright-core; nothing is
 * downloaded): sign in, pick a tip, narrow the audience and watch the count, preview,
 * send and watch the progress reach 100%, then schedule one and cancel it. The server is
 * the real app on 127.0.0.1 with real Redis, workers, a fake LINE server and fake Slack.
 */
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminHarness, TOKENS, type AdminHarness } from './support/admin.ts';
import { lineId, seedUsers } from './support/broadcast.ts';
import { content } from './support/conversation.ts';

const CHROMIUM = '/usr/bin/chromium';

let h: AdminHarness;
let browser: Browser;
let base: string;
const problems: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: the staff page test needs it. Install it with \`apt-get install chromium\` (CI does).`);
  }
  h = await adminHarness({ slack: true });
  await seedUsers(h.kit.store, [
    { id: lineId(1), locale: 'ja' },
    { id: lineId(2), locale: 'ja', verdict: 'offer_meeting' },
    { id: lineId(3), locale: 'ja' },
    { id: lineId(4), locale: 'en' },
    { id: lineId(5), locale: 'en' },
    { id: lineId(6), locale: 'ja', optedOut: true },
    { channel: 'slack', id: 'U0SLACK1', locale: 'ja' },
  ]);
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

async function openPage(options: { width?: number; timezoneId?: string } = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1366, height: 800 }, locale: 'ja-JP', timezoneId: options.timezoneId ?? 'Asia/Tokyo' });
  const page = await context.newPage();
  // A CSP violation, a script error or a failed request shows up here and fails the test,
  // except the 401 and 422 answers these tests provoke on purpose.
  page.on('console', (message) => {
    const text = message.text();
    if (message.type() === 'error' && !/Failed to load resource: .* (401|422) /.test(text)) problems.push(`console: ${text}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.goto(`${base}/admin`);
  return page;
}

const title = (id: string, locale: 'ja' | 'en') => content().catalog[locale].get(`tips.${id}.title`)!;

describe('the staff page', () => {
  it('signs in, picks a tip, narrows the audience, previews, sends and shows the progress reach 100%', { timeout: 60_000 }, async () => {
    const page = await openPage();
    await expect.poll(() => page.locator('#signin').isVisible()).toBe(true);

    await page.fill('#token', 'not-a-real-token-0000000000');
    await page.click('#signin-form button[type="submit"]');
    await expect.poll(() => page.textContent('#signin-error')).toBe('トークンが正しくありません。');

    await page.fill('#token', TOKENS.aiko);
    await page.click('#signin-form button[type="submit"]');
    await page.waitForSelector('#workspace:not([hidden])');
    expect(await page.textContent('#whoami')).toBe('aiko さん');
    // Everyone reachable on both channels, the opted-out user counted apart.
    await expect.poll(() => page.textContent('#audience-total')).toBe('対象 6 人');
    expect(await page.textContent('#audience-excluded')).toContain('配信停止 1 人');

    await page.selectOption('#tip', 'reply_speed');
    await expect.poll(() => page.textContent('#preview-line')).toContain(title('reply_speed', 'ja'));
    expect(await page.textContent('#preview-slack')).toContain(title('reply_speed', 'ja'));
    await page.click('[data-preview-locale="en"]');
    await expect.poll(() => page.textContent('#preview-line')).toContain(title('reply_speed', 'en'));

    await page.uncheck('input[name="channel"][value="slack"]');
    await page.uncheck('input[name="locale"][value="en"]');
    await expect.poll(() => page.textContent('#audience-total')).toBe('対象 3 人');
    await page.check('input[name="verdict"][value="offer_meeting"]');
    await expect.poll(() => page.textContent('#audience-total')).toBe('対象 1 人');
    await page.uncheck('input[name="verdict"][value="offer_meeting"]');
    await expect.poll(() => page.textContent('#audience-total')).toBe('対象 3 人');

    // English is one click away, and back.
    await page.click('#language');
    await expect.poll(() => page.textContent('#compose-heading')).toBe('New broadcast');
    await expect.poll(() => page.textContent('#audience-total')).toBe('3 recipients');
    await page.click('#language');
    await expect.poll(() => page.textContent('#compose-heading')).toBe('新しい配信');

    await page.click('#send');
    await expect.poll(() => page.textContent('#confirm-text')).toBe('3 人に送信します。よろしいですか?');
    await page.click('#confirm-yes');
    await expect.poll(() => page.textContent('#notice')).toBe('配信を作成しました。');

    const first = page.locator('#broadcasts li').first();
    await expect.poll(() => first.locator('.headline').textContent()).toBe(title('reply_speed', 'ja'));
    await expect.poll(() => first.locator('[role="progressbar"]').getAttribute('aria-valuenow'), { timeout: 15_000 }).toBe('100');
    await expect.poll(() => first.locator('.badge').textContent()).toBe('完了');
    expect(await first.locator('.progress-text').textContent()).toBe('送信済み 3 / 3 人 (100%)');

    const accepted = h.kit.fakeLine.accepted();
    expect(accepted).toHaveLength(1);
    expect(accepted[0]!.to.sort()).toEqual([lineId(1), lineId(2), lineId(3)].sort());
    expect(accepted[0]!.messages[0]).toMatchObject({ type: 'flex' });
    expect(h.kit.fakeSlack!.posted).toHaveLength(0);
    expect(problems).toEqual([]);
  });

  it('schedules a broadcast of its own text and cancels it', { timeout: 60_000 }, async () => {
    const page = await openPage();
    // The token is kept for this tab only; a new tab signs in again.
    await expect.poll(() => page.locator('#signin').isVisible()).toBe(true);
    await page.fill('#token', TOKENS.ken);
    await page.click('#signin-form button[type="submit"]');
    await page.waitForSelector('#workspace:not([hidden])');

    await page.check('input[name="source"][value="text"]');
    await page.fill('#text-ja', '日程調整のメールには、その日のうちに返信しましょう。');
    await page.fill('#text-en', 'Reply to scheduling emails within the day.');
    await expect.poll(() => page.textContent('#preview-line')).toContain('その日のうちに返信');
    await page.check('input[name="when"][value="later"]');
    await page.fill('#send-at', '2099-01-01T09:00');
    await page.click('#send');
    // 2099 is more than 90 days ahead: the server says no, the page shows why.
    await page.click('#confirm-yes');
    await expect.poll(() => page.textContent('#compose-error')).toContain('90 days');

    const tomorrow = new Date(Date.now() + 86_400_000);
    const local = new Date(tomorrow.getTime() + 9 * 3_600_000).toISOString().slice(0, 10);
    await page.fill('#send-at', `${local}T10:00`);
    await page.click('#send');
    await expect.poll(() => page.textContent('#confirm-text')).toContain('に送信します');
    await page.click('#confirm-yes');
    await expect.poll(() => page.textContent('#notice')).toBe('配信を作成しました。');

    const item = page.locator('#broadcasts li').first();
    await expect.poll(() => item.locator('.headline').textContent()).toBe('日程調整のメールには、その日のうちに返信しましょう。');
    expect(await item.locator('.badge').textContent()).toBe('予約済み');
    await item.locator('button.cancel').click();
    await item.locator('button.danger').click();
    await expect.poll(() => page.locator('#broadcasts li').first().locator('.badge').textContent()).toBe('中止');
    expect(await page.locator('#broadcasts li').first().textContent()).toContain('ken が中止');

    const { entries } = (await h.call('aiko', 'GET', '/api/admin/audit')).json() as { entries: { staff: string; action: string }[] };
    expect(entries.slice(0, 2).map((e) => `${e.staff}:${e.action}`)).toEqual(['ken:broadcast.cancel', 'ken:broadcast.create']);
    expect(problems).toEqual([]);
  });

  it('at 420 px, from a browser in New York: previews as users see them, times on the deployment clock, long titles cut', { timeout: 60_000 }, async () => {
    const page = await openPage({ width: 420, timezoneId: 'America/New_York' });
    await expect.poll(() => page.locator('#signin').isVisible()).toBe(true);
    await page.fill('#token', TOKENS.aiko);
    await page.click('#signin-form button[type="submit"]');
    await page.waitForSelector('#workspace:not([hidden])');
    // Page functions as source text: this project compiles without the DOM types.
    const overflow = () => page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(await overflow()).toBe(0);

    // What the user reads: no altText line on LINE; on Slack "<" and "&" as typed, not escaped.
    const long = `面談の前日までに、聞きたいことを三つ書き出しておきましょう <準備> & 確認。${'当日の流れも確かめておくと安心です。'.repeat(4)}`;
    await page.check('input[name="source"][value="text"]');
    await page.fill('#text-ja', long);
    await page.fill('#text-en', 'Write down three questions <prep> & checks before the meeting.');
    await expect.poll(() => page.textContent('#preview-slack')).toContain('<準備> & 確認');
    expect(await page.textContent('#preview-slack')).not.toMatch(/&lt;|&amp;/);
    expect(await page.textContent('#preview-line')).toContain('<準備> & 確認');
    expect(await page.textContent('#preview-line')).not.toContain('altText');

    // 10:00 tomorrow in Tokyo (the deployment), whatever the browser's own zone.
    await page.check('input[name="when"][value="later"]');
    expect(await page.textContent('#at-zone')).toBe('（Asia/Tokyo の時刻）');
    const day = new Date(Date.now() + 86_400_000 + 9 * 3_600_000).toISOString().slice(0, 10);
    await page.fill('#send-at', `${day}T10:00`);
    expect(await overflow()).toBe(0);
    await page.click('#send');
    await expect.poll(() => page.textContent('#confirm-text')).toContain('10:00 JST');
    await page.click('#confirm-yes');
    await expect.poll(() => page.textContent('#notice')).toBe('配信を作成しました。');
    const { broadcasts } = (await h.call('aiko', 'GET', '/api/admin/broadcasts')).json() as { broadcasts: { id: string; sendAt: string }[] };
    expect(broadcasts[0]!.sendAt).toBe(new Date(`${day}T10:00:00+09:00`).toISOString());

    // The list also holds the broadcast the previous test scheduled for the same time: find ours by its words.
    const item = page.locator('#broadcasts li', { hasText: '面談の前日までに' });
    await expect.poll(() => item.textContent()).toContain('10:00 JST');
    const headline = item.locator('.headline');
    // The server shortens a headline; the page shows it on one line and whole as a tooltip.
    const whole = await headline.getAttribute('title');
    expect(whole!.length).toBeGreaterThan(40);
    expect(long.startsWith(whole!)).toBe(true);
    expect(await headline.textContent()).toBe(whole);
    const cut = await headline.evaluate((node) => ({ ellipsis: node.ownerDocument.defaultView!.getComputedStyle(node).textOverflow, clipped: node.scrollWidth > node.clientWidth }));
    expect(cut).toEqual({ ellipsis: 'ellipsis', clipped: true });
    expect(await overflow()).toBe(0);
    await h.call('aiko', 'POST', `/api/admin/broadcasts/${broadcasts[0]!.id}/cancel`);
    expect(problems).toEqual([]);
  });
});
