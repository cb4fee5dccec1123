/** The rich menu as data, and the install sequence of `npm run line:richmenu`. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import nock from 'nock';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LineApi } from '../src/channels/line/client.ts';
import { LINE_LOCALE_KEYS } from '../src/channels/line/locale-keys.ts';
import { buildRichMenuRequest, checkRichMenuImage, installRichMenu, loadRichMenu, richMenuLocaleKeys, richMenuVariant } from '../src/channels/line/richmenu.ts';
import { PROJECT_ROOT } from '../src/conversation/content.ts';
import { normalizeText } from '../src/conversation/normalize.ts';
import { LOCALES } from '../src/conversation/types.ts';
import { content } from './support/conversation.ts';
import { LINE_BASE, LINE_DATA_BASE } from './support/line.ts';

const menu = loadRichMenu();
const image = readFileSync(path.join(PROJECT_ROOT, menu.image));

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => nock.cleanAll());

describe('the rich menu definition', () => {
  it('uses only locale keys the LINE channel declares', () => {
    for (const key of richMenuLocaleKeys(menu)) expect(LINE_LOCALE_KEYS).toContain(key);
  });

  it('sends texts the conversation understands as commands, in every language', () => {
    const keywords = new Set(content().flow.commands.flatMap((c) => c.keywords.map(normalizeText)));
    for (const locale of LOCALES) {
      const request = buildRichMenuRequest(menu, content().catalog, locale);
      expect(request.areas).toHaveLength(4);
      for (const area of request.areas!) {
        const action = area.action as { type: string; text: string };
        expect(action.type).toBe('message');
        expect(keywords.has(normalizeText(action.text)), `"${action.text}" is a command keyword`).toBe(true);
      }
    }
  });

  it('has a fifth area, an advisor, only in the variant installed with a staff route', () => {
    const keywords = new Set(content().flow.commands.filter((c) => c.action === 'advisor').flatMap((c) => c.keywords.map(normalizeText)));
    for (const locale of LOCALES) {
      expect(buildRichMenuRequest(menu, content().catalog, locale, false).areas).toHaveLength(4);
      const areas = buildRichMenuRequest(menu, content().catalog, locale, true).areas!;
      expect(areas).toHaveLength(5);
      const advisor = areas[3]!.action as { text: string };
      expect(keywords.has(normalizeText(advisor.text)), `"${advisor.text}" asks for an advisor`).toBe(true);
    }
    const variant = richMenuVariant(menu, true);
    expect(checkRichMenuImage(readFileSync(path.join(PROJECT_ROOT, variant.image)), menu)).toEqual({ contentType: 'image/png', width: 2500, height: 843 });
    expect(richMenuVariant(menu, false).image).toBe(menu.image);
  });

  it('ships an image LINE accepts for it', () => {
    expect(checkRichMenuImage(image, menu)).toEqual({ contentType: 'image/png', width: 2500, height: 843 });
    expect(() => checkRichMenuImage(Buffer.alloc(10), menu)).toThrow(/PNG or a JPEG/);
    expect(() => checkRichMenuImage(Buffer.alloc(1024 * 1024 + 1), menu)).toThrow(/1 MB/);
  });
});

describe('installing it', () => {
  const api = () =>
    new LineApi({ baseUrl: LINE_BASE, dataBaseUrl: LINE_DATA_BASE, accessToken: 't', logger: pino({ level: 'silent' }), sleep: async () => {} });
  const request = () => buildRichMenuRequest(menu, content().catalog, 'ja');

  it('creates the menu, uploads the image to the data host, sets it as default, then removes older copies', async () => {
    const order: string[] = [];
    const line = nock(LINE_BASE)
      .get('/v2/bot/richmenu/list')
      .reply(200, { richmenus: [{ richMenuId: 'old-1', name: 'mendan-navi' }, { richMenuId: 'other', name: 'campaign' }] })
      .post('/v2/bot/richmenu', (body) => {
        order.push('create');
        return body.name === 'mendan-navi' && body.chatBarText === 'メニュー' && body.areas.length === 4;
      })
      .reply(200, { richMenuId: 'new-1' })
      .post('/v2/bot/user/all/richmenu/new-1')
      .reply(() => {
        order.push('default');
        return [200, {}];
      })
      .delete('/v2/bot/richmenu/old-1')
      .reply(() => {
        order.push('delete old');
        return [200, {}];
      });
    let uploaded: { bytes: Buffer; type: string | null } | undefined;
    const data = nock(LINE_DATA_BASE)
      .post('/v2/bot/richmenu/new-1/content')
      .reply(async (req: Request) => {
        order.push('upload');
        uploaded = { bytes: Buffer.from(await req.arrayBuffer()), type: req.headers.get('content-type') };
        return [200, {}];
      });
    const id = await installRichMenu({ api: api(), request: request(), image, contentType: 'image/png' });
    expect(id).toBe('new-1');
    expect(order).toEqual(['create', 'upload', 'default', 'delete old']);
    expect(line.isDone()).toBe(true);
    expect(data.isDone()).toBe(true);
    expect(uploaded?.type).toBe('image/png');
    expect(uploaded?.bytes.equals(image)).toBe(true);
  });

  it('deletes the half-made menu when the upload is refused, and says why', async () => {
    nock(LINE_BASE)
      .get('/v2/bot/richmenu/list')
      .reply(200, { richmenus: [] })
      .post('/v2/bot/richmenu')
      .reply(200, { richMenuId: 'new-2' })
      .delete('/v2/bot/richmenu/new-2')
      .reply(200, {});
    nock(LINE_DATA_BASE).post('/v2/bot/richmenu/new-2/content').reply(400, { message: 'Invalid image' }, { 'x-line-request-id': 'req-9' });
    await expect(installRichMenu({ api: api(), request: request(), image, contentType: 'image/png' })).rejects.toThrow(
      /uploading the image failed: 400 Invalid image \(x-line-request-id req-9\)/,
    );
    expect(nock.isDone()).toBe(true);
  });
});
