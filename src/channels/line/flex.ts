/** Flex Message layouts: the result card and the long list of choices. Pure builders. */
import type { messagingApi } from '@line/bot-sdk';
import type { CardSection } from '../../conversation/types.ts';
import { chunk, LINE_LIMITS, truncate } from './limits.ts';

type FlexBubble = messagingApi.FlexBubble;
type FlexComponent = messagingApi.FlexComponent;
type Action = messagingApi.Action;

const BRAND = '#0B7A75';
const INK = '#333333';
const MUTED = '#666666';
const OPTIONS_PER_BUBBLE = 8;

// Flex refuses empty text components, and the core leaves summary/heading empty for tips.
function text(value: string, style: Partial<messagingApi.FlexText> = {}): FlexComponent[] {
  return value.trim() === '' ? [] : [{ type: 'text', text: value, wrap: true, ...style }];
}

export function cardBubble(card: { title: string; summary: string; sections: CardSection[] }): FlexBubble {
  const sections = card.sections.filter((s) => s.lines.length > 0 || s.heading.trim() !== '');
  return {
    type: 'bubble',
    size: 'mega',
    header: {
      type: 'box',
      layout: 'vertical',
      backgroundColor: BRAND,
      paddingAll: '16px',
      contents: text(card.title, { weight: 'bold', size: 'lg', color: '#FFFFFF' }),
    },
    body: {
      type: 'box',
      layout: 'vertical',
      spacing: 'md',
      contents: [
        ...text(card.summary, { size: 'md', color: INK, weight: 'bold' }),
        ...sections.flatMap((section, i): FlexComponent[] => [
          ...(i > 0 || card.summary.trim() !== '' ? [{ type: 'separator', margin: 'lg' } as FlexComponent] : []),
          ...text(section.heading, { size: 'sm', weight: 'bold', color: BRAND, margin: 'lg' }),
          ...section.lines.flatMap((line) => text(`・${line}`, { size: 'sm', color: INK })),
        ]),
      ],
    },
  };
}

export interface ListOption {
  label: string;
  action: Action;
}

/**
 * Choices that do not fit quick replies (more than 13, or labels longer than a quick reply
 * can show) as tappable rows that show the whole label; a carousel when there are many.
 */
export function optionBubbles(prompt: string, options: ListOption[]): FlexBubble[] {
  const pages = chunk(options, OPTIONS_PER_BUBBLE).slice(0, LINE_LIMITS.carouselBubbles);
  return pages.map((page, pageIndex) => ({
    type: 'bubble',
    size: 'mega',
    body: {
      type: 'box',
      layout: 'vertical',
      spacing: 'sm',
      contents: [
        ...text(prompt, { weight: 'bold', size: 'md', color: INK }),
        ...(pages.length > 1 ? text(`${pageIndex + 1} / ${pages.length}`, { size: 'xs', color: MUTED }) : []),
        ...page.map(
          (option): FlexComponent => ({
            type: 'box',
            layout: 'vertical',
            paddingAll: '10px',
            cornerRadius: '8px',
            borderWidth: '1px',
            borderColor: BRAND,
            action: option.action,
            contents: text(option.label, { size: 'sm', color: BRAND, align: 'center' }),
          }),
        ),
      ],
    },
  }));
}

/** A plain-text stand-in for the card, for notifications and clients without Flex. */
export function altText(value: string): string {
  return truncate(value, LINE_LIMITS.altTextLength);
}
