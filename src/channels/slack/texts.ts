/** Localised text for Slack surfaces, and the escaping Slack's mrkdwn needs. */
import { translate, type Catalog, type Vars } from '../../conversation/i18n.ts';
import type { Locale } from '../../conversation/types.ts';

export type Translate = (key: string, vars?: Vars) => string;

export function translator(catalog: Catalog, locale: Locale): Translate {
  return (key, vars) => translate(catalog, locale, key, vars);
}

/**
 * Slack reads `<...>` as links and mentions and `&` as the start of an entity, so text we
 * did not write as mrkdwn ourselves (locale strings, labels) is escaped before it goes out.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A mrkdwn link; the label is escaped, the URL is ours. */
export function mrkdwnLink(url: string, label: string): string {
  return `<${url}|${escapeMrkdwn(label).replace(/\|/g, '｜')}>`;
}
