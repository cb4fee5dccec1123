/**
 * `npm run line:richmenu`: creates the rich menu of flows/line-richmenu.yaml on LINE,
 * uploads its image and makes it every user's default, replacing an older menu of the
 * same name. With a staff route configured the menu has a fifth area, an advisor (its own
 * image). Options: `--image <file>` another image of the same size, `--locale en` texts in
 * another language, `--dry-run` print the request and stop.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadAppContent } from '../app-content.ts';
import { LineApi } from '../channels/line/client.ts';
import { buildRichMenuRequest, checkRichMenuImage, installRichMenu, loadRichMenu, richMenuVariant } from '../channels/line/richmenu.ts';
import { loadConfig } from '../config.ts';
import { PROJECT_ROOT } from '../conversation/content.ts';
import { LOCALES, type Locale } from '../conversation/types.ts';
import { staffRouteConfigured } from '../handoff/config.ts';
import { createLogger } from '../observability/logger.ts';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { image: { type: 'string' }, locale: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } },
  });
  const config = loadConfig();
  const locale = (values.locale ?? config.DEFAULT_LOCALE) as Locale;
  if (!LOCALES.includes(locale)) throw new Error(`--locale: must be one of ${LOCALES.join(', ')}`);

  const menu = loadRichMenu();
  // The advisor area only where someone answers (STAFF_SLACK_CHANNEL or ADMIN_TOKENS set).
  const advisor = staffRouteConfigured(config);
  const request = buildRichMenuRequest(menu, loadAppContent().catalog, locale, advisor);
  const imageFile = path.resolve(values.image ?? path.join(PROJECT_ROOT, richMenuVariant(menu, advisor).image));
  const image = readFileSync(imageFile);
  const { contentType } = checkRichMenuImage(image, menu);
  if (values['dry-run']) {
    console.log(JSON.stringify(request, null, 2));
    console.log(`image: ${path.relative(process.cwd(), imageFile)} (${contentType}, ${image.length} bytes)`);
    return;
  }
  if (!config.LINE_CHANNEL_ACCESS_TOKEN) {
    throw new Error('LINE_CHANNEL_ACCESS_TOKEN: must be set (with LINE_CHANNEL_SECRET) to create the rich menu');
  }
  const api = new LineApi({
    baseUrl: config.LINE_API_BASE_URL,
    dataBaseUrl: config.LINE_DATA_API_BASE_URL,
    accessToken: config.LINE_CHANNEL_ACCESS_TOKEN,
    logger: createLogger({ level: config.LOG_LEVEL }),
  });
  const id = await installRichMenu({ api, request, image, contentType, log: (line) => console.log(line) });
  console.log(`Rich menu ${id} is now the default for every user.`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
