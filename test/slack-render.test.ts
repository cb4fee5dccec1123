/** Pure rendering: neutral messages to Block Kit, answered questions, the App Home view. */
import { describe, expect, it } from 'vitest';
import { answeredMessage, renderMessage } from '../src/channels/slack/blocks.ts';
import { homeView, type HomeState } from '../src/channels/slack/home.ts';
import { translator } from '../src/channels/slack/texts.ts';
import type { Outbound } from '../src/conversation/types.ts';
import { content } from './support/conversation.ts';

type AnyBlock = { type: string; block_id?: string; elements?: { type: string; action_id?: string; value?: string; text?: { text: string } }[] };

describe('renderMessage', () => {
  it('escapes Slack markup in plain text', () => {
    expect(renderMessage({ kind: 'text', text: 'A & B <@U1> > C' })).toEqual({ text: 'A &amp; B &lt;@U1&gt; &gt; C' });
  });

  it('renders choices as buttons tagged with the question state', () => {
    const message = renderMessage({
      kind: 'choices',
      text: 'Pick one',
      state: 'contact_from',
      choices: [
        { value: 'hr', label: 'HR' },
        { value: 'agency', label: 'Agency' },
      ],
    });
    const blocks = message.blocks as AnyBlock[];
    expect(message.text).toBe('Pick one');
    expect(blocks.map((b) => b.type)).toEqual(['section', 'actions']);
    expect(blocks[1]!.block_id).toBe('mendan:q:0:contact_from');
    expect(blocks[1]!.elements!.map((e) => [e.action_id, e.value, e.text?.text])).toEqual([
      ['mendan:choice:0', 'hr', 'HR'],
      ['mendan:choice:1', 'agency', 'Agency'],
    ]);
  });

  it('splits more than 25 elements over several action blocks', () => {
    const choices = Array.from({ length: 30 }, (_, i) => ({ value: `v${i}`, label: `L${i}` }));
    const blocks = renderMessage({ kind: 'choices', text: 'Many', state: '@tips', choices }).blocks as AnyBlock[];
    const actions = blocks.filter((b) => b.type === 'actions');
    expect(actions.map((b) => b.elements!.length)).toEqual([25, 5]);
    expect(actions.map((b) => b.block_id)).toEqual(['mendan:q:0:@tips', 'mendan:q:1:@tips']);
  });

  it('offers a date-time picker next to the non-date choices', () => {
    const blocks = renderMessage({
      kind: 'dateInput',
      text: 'When?',
      state: 'meeting_date',
      choices: [{ value: 'not_yet', label: 'Not yet' }],
      min: '2026-11-26T01:00:00.000Z',
      max: '2027-05-25T01:00:00.000Z',
    }).blocks as AnyBlock[];
    expect(blocks[1]!.elements!.map((e) => e.type)).toEqual(['datetimepicker', 'button']);
    expect(blocks[1]!.elements![0]!.action_id).toBe('mendan:datetime');
  });

  it('clips labels to what Slack accepts', () => {
    const blocks = renderMessage({ kind: 'choices', text: 'x', state: 's', choices: [{ value: 'v', label: 'あ'.repeat(100) }] })
      .blocks as AnyBlock[];
    expect(blocks[1]!.elements![0]!.text!.text).toHaveLength(75);
  });

  const result: Outbound = {
    kind: 'card',
    title: 'Closing meeting',
    summary: 'Likelihood: high\nThey want you.',
    sections: [
      { heading: 'Why', lines: ['reason one', 'reason two'] },
      { heading: 'They may ask', lines: ['a', 'b'] },
      { heading: 'Meeting', lines: ['Thu, Dec 3, 14:00'] },
    ],
    altText: 'Closing meeting ...',
  };

  it('renders a result as header, summary, reasons in small print, and fields', () => {
    const message = renderMessage(result);
    expect(message.text).toBe('Closing meeting ...');
    const blocks = message.blocks as unknown as Record<string, unknown>[];
    expect(blocks.map((b) => b.type)).toEqual(['header', 'section', 'context', 'divider', 'section', 'section']);
    expect(JSON.stringify(blocks[2])).toContain('• reason one');
    expect(blocks[5]).toEqual({ type: 'section', fields: [{ type: 'mrkdwn', text: '*Meeting*\nThu, Dec 3, 14:00' }] });
  });

  it('renders a tip (no summary) as body text, not small print', () => {
    const blocks = renderMessage({
      kind: 'card',
      title: 'Tip',
      summary: '',
      sections: [{ heading: '', lines: ['line 1', 'line 2'] }],
      altText: 'Tip',
    }).blocks as unknown as Record<string, unknown>[];
    expect(blocks).toEqual([
      { type: 'header', text: { type: 'plain_text', text: 'Tip', emoji: true } },
      { type: 'section', text: { type: 'mrkdwn', text: 'line 1\nline 2' } },
    ]);
  });
});

describe('answeredMessage', () => {
  it('keeps the question, drops the buttons, shows the choice', () => {
    const question = renderMessage({ kind: 'choices', text: 'Q?', state: 's', choices: [{ value: 'a', label: 'A' }] });
    const answered = answeredMessage(question, 'You chose: A');
    expect(answered.text).toBe('Q?');
    expect((answered.blocks as AnyBlock[]).map((b) => b.type)).toEqual(['section', 'context']);
    expect(JSON.stringify(answered.blocks)).toContain('You chose: A');
  });

  it('falls back to the text when the question has no blocks', () => {
    const answered = answeredMessage({ text: 'Q?' }, 'x');
    expect((answered.blocks as AnyBlock[]).map((b) => b.type)).toEqual(['section', 'context']);
  });
});

describe('homeView', () => {
  const base: HomeState = {
    locale: 'en',
    timeZone: 'Asia/Tokyo',
    optedOut: false,
    reminders: [],
    tipIds: content().tips.map((t) => t.id),
    now: new Date('2026-11-26T01:00:00.000Z'),
  };
  const render = (state: Partial<HomeState>) => JSON.stringify(homeView({ ...base, ...state }, translator(content().catalog, state.locale ?? 'en')));

  it('shows the verdict, the next meeting and only upcoming reminders in time order', () => {
    const view = render({
      verdict: 'offer_meeting',
      meetingAt: '2026-12-03T05:00:00.000Z',
      reminders: [
        { kind: 'before', at: '2026-12-03T03:00:00.000Z' },
        { kind: 'eve', at: '2026-12-02T11:00:00.000Z' },
        { kind: 'reply', at: '2026-11-25T00:00:00.000Z' },
      ],
    });
    expect(view).toContain('Thu, Dec 3, 14:00');
    expect(view.indexOf('Prepare the evening before')).toBeLessThan(view.indexOf('Two hours before the meeting'));
    expect(view).not.toContain('Reply to the company');
    expect(view).not.toContain('No diagnosis yet');
  });

  it('says what is missing for someone new, and hides a past meeting', () => {
    const view = render({ meetingAt: '2026-11-01T05:00:00.000Z' });
    expect(view).toContain('No diagnosis yet.');
    expect(view).toContain('No meeting date saved yet.');
    expect(view).toContain('No reminders planned.');
  });

  it('lists every tip topic and offers the right opt-out toggle', () => {
    const view = render({});
    for (const id of base.tipIds) expect(view).toContain(JSON.stringify(content().catalog.en.get(`tips.${id}.title`)).slice(1, -1));
    expect(view).toContain('mendan:home:optOut');
    expect(render({ optedOut: true })).toContain('mendan:home:optIn');
  });

  it('speaks Japanese to a Japanese user', () => {
    expect(render({ locale: 'ja' })).toContain('表示言語：日本語');
  });
});
