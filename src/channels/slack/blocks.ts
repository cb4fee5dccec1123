/**
 * Neutral messages to Block Kit. Pure: no Slack calls, no locale lookups; texts arrive
 * localised. Slack's size limits are applied here so a long text is clipped, never refused.
 */
import type { types } from '@slack/bolt';
import type { CardSection, Choice, Outbound } from '../../conversation/types.ts';
import { CHOICE_ACTION_PREFIX, DATETIME_ACTION, questionBlockId } from './action-ids.ts';
import { escapeMrkdwn } from './texts.ts';

type Block = types.KnownBlock;

/** What chat.postMessage / chat.update take: a plain fallback (notifications) and blocks. */
export interface SlackMessage {
  text: string;
  blocks?: Block[];
}

// Limits from the Block Kit reference.
const MAX_BLOCKS = 50;
const MAX_ACTION_ELEMENTS = 25;
const MAX_SECTION_TEXT = 3000;
const MAX_FIELD_TEXT = 2000;
const MAX_FIELDS = 10;
const MAX_HEADER_TEXT = 150;
const MAX_BUTTON_TEXT = 75;
const MAX_BUTTON_VALUE = 2000;
const MAX_FALLBACK_TEXT = 4000;

export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function renderMessage(message: Outbound): SlackMessage {
  switch (message.kind) {
    case 'text':
      return { text: clip(escapeMrkdwn(message.text), MAX_FALLBACK_TEXT) };
    case 'choices':
      return question(message.text, message.state, [], message.choices);
    case 'dateInput':
      return question(message.text, message.state, [datetimePicker()], message.choices);
    case 'card':
      return { text: clip(escapeMrkdwn(message.altText), MAX_FALLBACK_TEXT), blocks: card(message) };
  }
}

function question(text: string, state: string, pickers: types.ActionsBlockElement[], choices: Choice[]): SlackMessage {
  const elements = [...pickers, ...choices.map((choice, i) => button(choice, i))];
  const actions: Block[] = [];
  for (let start = 0; start < elements.length; start += MAX_ACTION_ELEMENTS) {
    actions.push({
      type: 'actions',
      block_id: questionBlockId(state, actions.length),
      elements: elements.slice(start, start + MAX_ACTION_ELEMENTS),
    });
  }
  return {
    text: clip(escapeMrkdwn(text), MAX_FALLBACK_TEXT),
    blocks: [section(escapeMrkdwn(text)), ...actions].slice(0, MAX_BLOCKS),
  };
}

function button(choice: Choice, index: number): types.Button {
  return {
    type: 'button',
    // Unique within the block; the value says which choice it is.
    action_id: `${CHOICE_ACTION_PREFIX}${index}`,
    text: { type: 'plain_text', text: clip(choice.label, MAX_BUTTON_TEXT), emoji: true },
    value: choice.value.slice(0, MAX_BUTTON_VALUE),
  };
}

function datetimePicker(): types.DateTimepicker {
  return { type: 'datetimepicker', action_id: DATETIME_ACTION };
}

function section(mrkdwn: string): types.SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: clip(mrkdwn, MAX_SECTION_TEXT) } };
}

function bullets(lines: string[]): string {
  return lines.map((line) => `• ${escapeMrkdwn(line)}`).join('\n');
}

/**
 * A result: header, the summary, then the reasons for it as small print. A card with a
 * summary always opens with the section that explains it (the diagnosis reasons); a tip
 * card has no summary and renders every section as body text. One-line sections (the
 * meeting time) become side-by-side fields.
 */
function card(message: Extract<Outbound, { kind: 'card' }>): Block[] {
  const blocks: Block[] = [{ type: 'header', text: { type: 'plain_text', text: clip(message.title, MAX_HEADER_TEXT), emoji: true } }];
  let sections = message.sections;
  if (message.summary) {
    blocks.push(section(escapeMrkdwn(message.summary)));
    const [reasons, ...rest] = sections;
    if (reasons) blocks.push(context(reasons));
    sections = rest;
    if (sections.length) blocks.push({ type: 'divider' });
  }
  let fields: types.MrkdwnElement[] = [];
  const flushFields = () => {
    if (fields.length) blocks.push({ type: 'section', fields });
    fields = [];
  };
  for (const sec of sections) {
    if (sec.heading && sec.lines.length === 1) {
      if (fields.length === MAX_FIELDS) flushFields();
      fields.push({ type: 'mrkdwn', text: clip(`*${escapeMrkdwn(sec.heading)}*\n${escapeMrkdwn(sec.lines[0]!)}`, MAX_FIELD_TEXT) });
      continue;
    }
    flushFields();
    const heading = sec.heading ? `*${escapeMrkdwn(sec.heading)}*\n` : '';
    const body = sec.heading ? bullets(sec.lines) : sec.lines.map(escapeMrkdwn).join('\n');
    blocks.push(section(`${heading}${body}`));
  }
  flushFields();
  return blocks.slice(0, MAX_BLOCKS);
}

function context(sec: CardSection): types.ContextBlock {
  const heading = sec.heading ? `*${escapeMrkdwn(sec.heading)}*\n` : '';
  return { type: 'context', elements: [{ type: 'mrkdwn', text: clip(`${heading}${bullets(sec.lines)}`, MAX_SECTION_TEXT) }] };
}

/**
 * The question message after a person answered it: the same text, the buttons replaced by
 * what they chose, so an old button cannot be pressed again. `question` is the message as
 * we render it (redraw.ts), never Slack's copy from a click.
 */
export function answeredMessage(question: SlackMessage, chosen: string): SlackMessage {
  const kept = (question.blocks ?? []).filter((b) => b.type !== 'actions');
  const body = kept.length ? kept : question.text ? [section(question.text)] : [];
  const answer: types.ContextBlock = {
    type: 'context',
    elements: [{ type: 'mrkdwn', text: clip(escapeMrkdwn(chosen), MAX_SECTION_TEXT) }],
  };
  return { text: question.text, blocks: [...body, answer].slice(0, MAX_BLOCKS) };
}
