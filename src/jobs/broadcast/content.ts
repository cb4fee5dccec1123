/**
 * What a broadcast says, per language, as neutral messages the channels already render:
 * a tip becomes the same card a user sees when opening it in the chat; staff-written text
 * stays plain text. Fixed when the broadcast is created, so a content deploy in the
 * middle of a broadcast does not split the audience between two versions. Pure.
 */
import type { Content } from '../../conversation/content.ts';
import { translate } from '../../conversation/i18n.ts';
import { LOCALES, type Locale, type Outbound } from '../../conversation/types.ts';

export type BroadcastMessages = Record<Locale, Outbound>;
export type LocalizedText = Record<Locale, string>;

/** Texts longer than this would be clipped by LINE (5,000) or Slack; refuse them instead. */
export const MAX_TEXT_LENGTH = 2_000;

export interface TipSummary {
  id: string;
  title: LocalizedText;
  body: LocalizedText;
}

export function listTips(content: Content): TipSummary[] {
  return content.tips.map((tip) => ({
    id: tip.id,
    title: perLocale((l) => translate(content.catalog, l, `tips.${tip.id}.title`)),
    body: perLocale((l) => translate(content.catalog, l, `tips.${tip.id}.body`)),
  }));
}

export function tipMessages(content: Content, tipId: string): BroadcastMessages | undefined {
  if (!content.tips.some((tip) => tip.id === tipId)) return undefined;
  return perLocale((locale) => {
    const title = translate(content.catalog, locale, `tips.${tipId}.title`);
    const lines = translate(content.catalog, locale, `tips.${tipId}.body`).split('\n').filter(Boolean);
    return {
      kind: 'card',
      title,
      summary: '',
      sections: [{ heading: '', lines }],
      altText: [title, ...lines.map((l) => `・${l}`)].join('\n'),
    };
  });
}

export function textMessages(text: LocalizedText): BroadcastMessages {
  return perLocale((locale) => ({ kind: 'text', text: text[locale].trim() }));
}

/** A short label for lists and logs: the tip's title or the text's first line. */
export function headline(messages: BroadcastMessages): LocalizedText {
  return perLocale((locale) => {
    const message = messages[locale];
    const text = message.kind === 'card' ? message.title : message.text;
    return text.split('\n')[0]!.slice(0, 80);
  });
}

function perLocale<T>(make: (locale: Locale) => T): Record<Locale, T> {
  return Object.fromEntries(LOCALES.map((l) => [l, make(l)])) as Record<Locale, T>;
}
