/**
 * Neutral messages -> LINE messages. Questions become quick reply buttons (postbacks that
 * show the chosen label as the user's message), the meeting time adds a date-time picker,
 * results become Flex cards. Pure: the locale, time zone and catalog come in the context.
 */
import type { messagingApi } from '@line/bot-sdk';
import { DateTime } from 'luxon';
import { translate, type Catalog } from '../../conversation/i18n.ts';
import type { Choice, Locale, Outbound } from '../../conversation/types.ts';
import { altText, cardBubble, optionBubbles, type ListOption } from './flex.ts';
import { LINE_LIMITS, truncate } from './limits.ts';
import { encodeChoice, encodePicker } from './postback.ts';

export type LineMessage = messagingApi.Message;

export interface RenderContext {
  catalog: Catalog;
  locale: Locale;
  /** The user's zone: a picker shows and returns wall-clock time without an offset. */
  timeZone: string;
}

const PICKER_FORMAT = "yyyy-MM-dd'T'HH:mm";

export function renderMessages(messages: readonly Outbound[], ctx: RenderContext): LineMessage[] {
  return messages.map((message) => renderMessage(message, ctx));
}

function renderMessage(message: Outbound, ctx: RenderContext): LineMessage {
  switch (message.kind) {
    case 'text':
      return textMessage(message.text);
    case 'choices':
      return question(message.text, message.choices.map((c) => choiceOption(message.state, c)));
    case 'dateInput':
      return question(message.text, [
        pickerOption(message, ctx),
        ...message.choices.map((c) => choiceOption(message.state, c)),
      ]);
    case 'card':
      return { type: 'flex', altText: altText(message.altText), contents: cardBubble(message) };
  }
}

function textMessage(text: string): messagingApi.TextMessage {
  return { type: 'text', text: truncate(text, LINE_LIMITS.textLength) };
}

function choiceOption(state: string, choice: Choice): ListOption {
  return {
    label: choice.label,
    action: {
      type: 'postback',
      label: truncate(choice.label, LINE_LIMITS.actionLabel),
      data: encodeChoice(state, choice.value),
      // Shown in the chat as if the user had typed it, so the conversation reads naturally.
      displayText: truncate(choice.label, LINE_LIMITS.displayText),
    },
  };
}

function pickerOption(message: Extract<Outbound, { kind: 'dateInput' }>, ctx: RenderContext): ListOption {
  const label = translate(ctx.catalog, ctx.locale, 'line.pick_datetime');
  const { min, max, initial } = pickerRange(message.min, message.max, ctx.timeZone);
  return {
    label,
    action: {
      type: 'datetimepicker',
      label: truncate(label, LINE_LIMITS.actionLabel),
      data: encodePicker(message.state),
      mode: 'datetime',
      initial,
      min,
      max,
    },
  };
}

/** The picker works in whole minutes: round min up and max down so both stay inside the range. */
export function pickerRange(minIso: string, maxIso: string, timeZone: string): { min: string; max: string; initial: string } {
  const start = DateTime.fromISO(minIso, { zone: timeZone });
  const end = DateTime.fromISO(maxIso, { zone: timeZone }).startOf('minute');
  const min = start.equals(start.startOf('minute')) ? start : start.startOf('minute').plus({ minutes: 1 });
  // Open at the next full hour: a likelier meeting time than "now" to the minute.
  const nextHour = min.minute === 0 ? min : min.startOf('hour').plus({ hours: 1 });
  const initial = nextHour <= end ? nextHour : min;
  return { min: min.toFormat(PICKER_FORMAT), max: end.toFormat(PICKER_FORMAT), initial: initial.toFormat(PICKER_FORMAT) };
}

function question(prompt: string, options: ListOption[]): LineMessage {
  // LINE refuses an empty quick reply; a question without buttons is just text.
  if (options.length === 0) return textMessage(prompt);
  const fitsQuickReply =
    options.length <= LINE_LIMITS.quickReplyItems && options.every((o) => o.label.length <= LINE_LIMITS.actionLabel);
  if (fitsQuickReply) {
    return {
      ...textMessage(prompt),
      quickReply: { items: options.map((o) => ({ type: 'action', action: o.action })) },
    };
  }
  const bubbles = optionBubbles(prompt, options);
  const numbered = options.map((o, i) => `${i + 1}. ${o.label}`);
  return {
    type: 'flex',
    // Typing the number works too (the core reads numbers as choices), so say them in the fallback.
    altText: altText([prompt, ...numbered].join('\n')),
    contents: bubbles.length === 1 ? bubbles[0]! : { type: 'carousel', contents: bubbles },
  };
}

/**
 * One reply carries at most five messages. Before spilling over into a paid push, merge
 * neighbouring plain texts (no buttons), which reads just as well.
 */
export function packForReply(messages: readonly LineMessage[], max: number = LINE_LIMITS.messagesPerRequest): LineMessage[] {
  const out = [...messages];
  for (let i = 0; out.length > max && i < out.length - 1; ) {
    const a = out[i]!;
    const b = out[i + 1]!;
    if (isPlainText(a) && isPlainText(b) && a.text.length + b.text.length + 2 <= LINE_LIMITS.textLength) {
      out.splice(i, 2, { type: 'text', text: `${a.text}\n\n${b.text}` });
    } else i++;
  }
  return out;
}

function isPlainText(message: LineMessage): message is messagingApi.TextMessage {
  return message.type === 'text' && !message.quickReply && 'text' in message;
}
