/**
 * The rich menu: its definition (flows/line-richmenu.yaml), the request LINE expects, and
 * the install sequence behind `npm run line:richmenu`. Everything but `installRichMenu`
 * is pure.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { messagingApi } from '@line/bot-sdk';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { PROJECT_ROOT } from '../../conversation/content.ts';
import { translate, type Catalog } from '../../conversation/i18n.ts';
import type { Locale } from '../../conversation/types.ts';
import type { LineApi } from './client.ts';

export const RICH_MENU_FILE = path.join(PROJECT_ROOT, 'flows/line-richmenu.yaml');
/** LINE refuses rich menu images above 1 MB. */
export const RICH_MENU_IMAGE_MAX_BYTES = 1024 * 1024;

const bounds = z.object({
  x: z.number().int().min(0),
  y: z.number().int().min(0),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
});

const areas = z
  .array(z.object({ id: z.string().min(1), bounds, label: z.string().min(1), text: z.string().min(1) }))
  .min(1)
  .max(20);

export const richMenuSchema = z
  .object({
    name: z.string().min(1).max(300),
    image: z.string().min(1),
    size: z.object({ width: z.literal(2500).or(z.literal(1200)), height: z.number().int().min(250) }),
    chatBarText: z.string().min(1),
    selected: z.boolean().default(false),
    areas,
    /** The menu when a staff route exists (an advisor can answer): its own image and areas. */
    withAdvisor: z.object({ image: z.string().min(1), areas }).optional(),
  })
  .superRefine((menu, ctx) => {
    const check = (list: typeof menu.areas, path: (string | number)[]) =>
      list.forEach((area, i) => {
        const { x, y, width, height } = area.bounds;
        if (x + width > menu.size.width || y + height > menu.size.height) {
          ctx.addIssue({ code: 'custom', path: [...path, i, 'bounds'], message: `lies outside the ${menu.size.width}x${menu.size.height} image` });
        }
      });
    check(menu.areas, ['areas']);
    if (menu.withAdvisor) check(menu.withAdvisor.areas, ['withAdvisor', 'areas']);
  });

export type RichMenuDefinition = z.infer<typeof richMenuSchema>;

export function loadRichMenu(file: string = RICH_MENU_FILE): RichMenuDefinition {
  const result = richMenuSchema.safeParse(parseYaml(readFileSync(file, 'utf8')));
  if (result.success) return result.data;
  const where = path.relative(PROJECT_ROOT, file) || file;
  throw new Error(`Invalid rich menu:\n${result.error.issues.map((i) => `  ${where}: ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n')}`);
}

/** Locale keys the definition refers to. */
export function richMenuLocaleKeys(menu: RichMenuDefinition): string[] {
  return [menu.chatBarText, ...[...menu.areas, ...(menu.withAdvisor?.areas ?? [])].flatMap((a) => [a.label, a.text])];
}

/**
 * The image and areas to install: with an advisor area only when someone can answer (a
 * staff route is configured), so the menu never offers what nobody does.
 */
export function richMenuVariant(menu: RichMenuDefinition, advisor: boolean): Pick<RichMenuDefinition, 'image' | 'areas'> {
  return advisor && menu.withAdvisor ? menu.withAdvisor : { image: menu.image, areas: menu.areas };
}

/** The Messaging API's rich menu object, with texts in one language (a default menu has only one). */
export function buildRichMenuRequest(menu: RichMenuDefinition, catalog: Catalog, locale: Locale, advisor = false): messagingApi.RichMenuRequest {
  const t = (key: string) => translate(catalog, locale, key);
  const request = {
    size: menu.size,
    selected: menu.selected,
    name: menu.name,
    chatBarText: t(menu.chatBarText),
    areas: richMenuVariant(menu, advisor).areas.map((area) => ({
      bounds: area.bounds,
      action: { type: 'message' as const, label: t(area.label), text: t(area.text) },
    })),
  };
  const problems = [
    ...(request.chatBarText.length > 14 ? [`chatBarText "${request.chatBarText}" is longer than 14 characters`] : []),
    ...request.areas.flatMap((a) => (a.action.label.length > 20 ? [`label "${a.action.label}" is longer than 20 characters`] : [])),
  ];
  if (problems.length) throw new Error(`Rich menu texts (${locale}) too long for LINE:\n  ${problems.join('\n  ')}`);
  return request;
}

export interface ImageInfo {
  contentType: 'image/png' | 'image/jpeg';
  /** Known for PNG (read from its header). */
  width?: number;
  height?: number;
}

/** Checks what LINE checks before we spend API calls: type, size, and (for PNG) dimensions. */
export function checkRichMenuImage(image: Buffer, menu: RichMenuDefinition): ImageInfo {
  if (image.length > RICH_MENU_IMAGE_MAX_BYTES) throw new Error(`the image is ${image.length} bytes; LINE accepts at most 1 MB`);
  const png = image.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  if (png) {
    const width = image.readUInt32BE(16);
    const height = image.readUInt32BE(20);
    if (width !== menu.size.width || height !== menu.size.height) {
      throw new Error(`the image is ${width}x${height}; the rich menu needs ${menu.size.width}x${menu.size.height}`);
    }
    return { contentType: 'image/png', width, height };
  }
  if (image[0] === 0xff && image[1] === 0xd8) return { contentType: 'image/jpeg' };
  throw new Error('the image must be a PNG or a JPEG');
}

/**
 * Creates the menu, uploads its image, makes it the default, then deletes older menus of
 * the same name, so running the command again replaces the menu instead of piling up.
 * Returns the new rich menu id.
 */
export async function installRichMenu(options: {
  api: LineApi;
  request: messagingApi.RichMenuRequest;
  image: Buffer;
  contentType: string;
  log?: (line: string) => void;
}): Promise<string> {
  const { api, request, image, contentType } = options;
  const log = options.log ?? (() => {});
  const listed = await expectOk(api.listRichMenus(), 'listing rich menus');
  const older = ((listed as { richmenus?: { richMenuId: string; name?: string }[] }).richmenus ?? []).filter((m) => m.name === request.name);

  const created = await expectOk(api.createRichMenu(request), 'creating the rich menu');
  const richMenuId = (created as { richMenuId?: string }).richMenuId;
  if (!richMenuId) throw new Error('LINE did not return a richMenuId');
  log(`created rich menu ${richMenuId}`);
  try {
    await expectOk(api.uploadRichMenuImage(richMenuId, image, contentType), 'uploading the image');
    log('uploaded the image');
    await expectOk(api.setDefaultRichMenu(richMenuId), 'setting the default rich menu');
    log('set as the default rich menu');
  } catch (error) {
    // A menu without an image cannot be shown; do not leave it behind.
    await api.deleteRichMenu(richMenuId);
    throw error;
  }
  for (const old of older) {
    const deleted = await api.deleteRichMenu(old.richMenuId);
    log(deleted.ok ? `deleted the previous menu ${old.richMenuId}` : `could not delete the previous menu ${old.richMenuId}`);
  }
  return richMenuId;
}

async function expectOk(call: ReturnType<LineApi['listRichMenus']>, what: string): Promise<unknown> {
  const result = await call;
  if (!result.ok) {
    throw new Error(`${what} failed: ${result.status} ${result.message}${result.requestId ? ` (x-line-request-id ${result.requestId})` : ''}`);
  }
  return result.body;
}
