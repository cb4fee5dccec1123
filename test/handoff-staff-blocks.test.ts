/** The advisor request as staff see it in Slack: pure rendering. */
import { describe, expect, it } from 'vitest';
import { STAFF_END_ACTION, STAFF_TAKE_ACTION, staffNote, staffRequestMessage } from '../src/channels/slack/staff-blocks.ts';
import { translator } from '../src/channels/slack/texts.ts';
import type { StaffView } from '../src/handoff/ports.ts';
import { content } from './support/conversation.ts';

const t = translator(content().catalog, 'ja');
const when = (iso: string) => iso.slice(0, 16);
const view = (over: Partial<StaffView['handoff']> = {}, flags: Partial<StaffView> = {}): StaffView => ({
  handoff: {
    id: '6f1c1b7e-2d7e-4a55-9d52-1f0c8a0e0b11',
    user: { channel: 'line', id: 'U1' },
    displayName: '山田 <花子>',
    locale: 'ja',
    timeZone: 'Asia/Tokyo',
    status: 'open',
    createdAt: '2026-11-26T01:00:00.000Z',
    dueAt: '2026-11-27T01:00:00.000Z',
    summary: { answers: [{ question: '志望度', answer: '第一志望' }], verdict: '内定前の意思確認', recent: ['年収の話をしてもいい?'] },
    ...over,
  },
  blocked: false,
  overdue: false,
  messages: [],
  ...flags,
});
const all = (message: ReturnType<typeof staffRequestMessage>) => JSON.stringify(message.blocks);

describe('the staff request message', () => {
  it('shows who, the status, the diagnosis, the last words and both buttons', () => {
    const message = staffRequestMessage(view(), t, when);
    // The notification text is escaped; the header is plain text, shown as written.
    expect(message.text).toContain('相談リクエスト: 山田 &lt;花子&gt;（LINE）');
    expect(message.blocks![0]).toMatchObject({ type: 'header', text: { type: 'plain_text', text: '相談リクエスト: 山田 <花子>（LINE）' } });
    const blocks = all(message);
    expect(blocks).toContain('未対応');
    expect(blocks).toContain('返信期限: 2026-11-27T01:00');
    expect(blocks).toContain('• 志望度: 第一志望');
    expect(blocks).toContain('診断結果: 内定前の意思確認');
    expect(blocks).toContain('> 年収の話をしてもいい?');
    const actions = message.blocks!.find((b) => b.type === 'actions') as { elements: { action_id: string; value: string; text: { text: string } }[] };
    expect(actions.elements.map((e) => [e.action_id, e.value, e.text.text])).toEqual([
      [STAFF_TAKE_ACTION, view().handoff.id, '担当する'],
      [STAFF_END_ACTION, view().handoff.id, 'ボットに戻す'],
    ]);
  });

  it('says who took it, that it is overdue, that the user blocked the bot', () => {
    const blocks = all(staffRequestMessage(view({ status: 'taken', takenBy: 'aiko' }, { overdue: true, blocked: true }), t, when));
    expect(blocks).toContain('担当: aiko');
    expect(blocks).toContain('返信期限切れ（期限 2026-11-27T01:00）');
    expect(blocks).toContain('ユーザーがボットをブロックしています');
  });

  it('has no buttons once the user is back with the bot', () => {
    const message = staffRequestMessage(view({ status: 'ended', endedBy: 'aiko' }), t, when);
    expect(message.blocks!.some((b) => b.type === 'actions')).toBe(false);
    expect(all(message)).toContain('終了');
  });

  it('writes notes as plain text, never as markup', () => {
    expect(staffNote('ユーザー: <@U123> & <!channel>')).toEqual({ text: 'ユーザー: &lt;@U123&gt; &amp; &lt;!channel&gt;' });
  });
});
