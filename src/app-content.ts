/** Loads the bot's content with every locale key the app's subsystems use by name. */
import { LINE_LOCALE_KEYS } from './channels/line/locale-keys.ts';
import { SLACK_LOCALE_KEYS } from './channels/slack/locale-keys.ts';
import { DEFAULT_CONTENT_PATHS, loadContent, type Content, type ContentPaths } from './conversation/content.ts';
import { READING_LOCALE_KEYS } from './conversation/reading-keys.ts';
import { HANDOFF_LOCALE_KEYS } from './handoff/locale-keys.ts';

export const APP_LOCALE_KEYS: readonly string[] = [...LINE_LOCALE_KEYS, ...SLACK_LOCALE_KEYS, ...HANDOFF_LOCALE_KEYS, ...READING_LOCALE_KEYS];

export function loadAppContent(paths: ContentPaths = DEFAULT_CONTENT_PATHS): Content {
  return loadContent(paths, APP_LOCALE_KEYS);
}
