/** The conversation's side of the handoff, step by step through the pure engine. */
import { describe, expect, it } from 'vitest';
import { step, type EngineContext } from '../src/conversation/engine.ts';
import type { Session } from '../src/conversation/session.ts';
import type { Inbound, Outbound, SideEffect } from '../src/conversation/types.ts';
import { parseBusinessHours } from '../src/handoff/hours.ts';
import { content } from './support/conversation.ts';

const NOW = new Date('2026-11-26T02:00:00Z'); // Thursday 11:00 in Tokyo
const advisor = { hours: parseBusinessHours('Mon-Fri 10:00-19:00', 'Asia/Tokyo')!, replyHours: 24 };
const ctx = (offered: boolean): EngineContext => ({
  content: content(),
  now: NOW,
  maxDaysAhead: 180,
  defaults: { locale: 'ja', timeZone: 'Asia/Tokyo' },
  ...(offered ? { advisor } : {}),
});
const ja = (key: string) => content().catalog.ja.get(key)!;
const texts = (messages: Outbound[]) => messages.map((m) => ('text' in m ? m.text : m.altText));

function run(offered: boolean, inputs: Inbound[], start?: Session) {
  let session = start;
  let messages: Outbound[] = [];
  let effects: SideEffect[] = [];
  for (const input of inputs) {
    const result = step(ctx(offered), session, input);
    if (result.session) session = result.session;
    messages = result.messages;
    effects = result.effects;
  }
  return { session: session!, messages, effects };
}

const text = (t: string): Inbound => ({ kind: 'text', text: t });
const tap = (state: string, value: string): Inbound => ({ kind: 'choice', state, value });

describe('asking for an advisor', () => {
  it('hands over mid-diagnosis with what the bot could not answer, and keeps the place in the diagnosis', () => {
    const { session, messages, effects } = run(true, [{ kind: 'start' }, tap('offer_notified', 'no'), text('正直、不安で眠れません'), text('相談したい')]);
    expect(effects).toEqual([{ type: 'advisorRequested', recent: ['正直、不安で眠れません'] }]);
    expect(session.handoff).toEqual({ since: NOW.toISOString() });
    expect(session.recent).toBeUndefined();
    expect(session.state).toBe('contact_from');
    // The notice, and no question after it.
    expect(texts(messages)).toEqual([ja('handoff.user.requested_open').replace('{replyHours}', '24')]);
  });

  it('offers nothing without a staff route: no menu choice, the words are no command, nothing is kept', () => {
    const done = run(false, [{ kind: 'start' }, text('相談したい')]);
    expect(done.effects).toEqual([]);
    expect(done.session.handoff).toBeUndefined();
    expect(done.session.recent).toBeUndefined();
    const menuChoices = (offered: boolean) => {
      const at = run(offered, [{ kind: 'start' }, tap('offer_notified', 'yes'), tap('contact_from', 'hr'), tap('first_choice', 'yes'), tap('other_status', 'none'), tap('meeting_date', 'not_yet'), tap('meeting_mode', 'online')]);
      const menu = at.messages.findLast((m) => m.kind === 'choices');
      return menu && 'choices' in menu ? menu.choices.map((c) => c.value) : [];
    };
    expect(menuChoices(true)).toContain('advisor');
    expect(menuChoices(false)).not.toContain('advisor');
  });
});

describe('while an advisor handles the conversation', () => {
  const handedOver = () => run(true, [{ kind: 'start' }, text('人と話したい')]).session;

  it('passes messages on and says nothing itself', () => {
    const { messages, effects, session } = run(true, [text('面談で逆質問は何をすればいい？')], handedOver());
    expect(messages).toEqual([]);
    expect(effects).toEqual([{ type: 'handoffMessage', text: '面談で逆質問は何をすればいい？' }]);
    expect(session.state).toBe('offer_notified');
  });

  it('still helps, stops everything, and asks before deleting', () => {
    expect(texts(run(true, [text('ヘルプ')], handedOver()).messages)).toEqual([ja('system.help'), ja('handoff.user.hint')]);
    const stopped = run(true, [text('すべて停止')], handedOver());
    expect(stopped.session.optedOut).toBe(true);
    expect(texts(stopped.messages)).toEqual([ja('system.stopped_all')]);
    const asked = run(true, [text('データ削除')], handedOver());
    expect(texts(asked.messages)[0]).toBe(ja('system.delete.confirm'));
    const deleted = step(ctx(true), asked.session, text('はい'));
    expect(deleted.session).toBeNull();
    expect(deleted.effects).toContainEqual({ type: 'deleteData' });
  });

  it('answers an old button with how things stand, not with the diagnosis', () => {
    const { messages, effects } = run(true, [tap('offer_notified', 'yes')], handedOver());
    expect(texts(messages)).toEqual([ja('handoff.user.hint')]);
    expect(effects).toEqual([]);
  });

  it('goes back to the bot on "Back to the bot" in either language, and asks the question again', () => {
    for (const words of ['ボットに戻る', 'back to the bot']) {
      const { session, messages, effects } = run(true, [text(words)], handedOver());
      expect(session.handoff).toBeUndefined();
      expect(effects).toEqual([{ type: 'handoffEnded' }]);
      expect(texts(messages)).toEqual([ja('handoff.user.ended_by_user'), ja('q.offer_notified.prompt')]);
    }
  });

  it('asks to keep waiting or go back when nobody answered in time, and acts on the answer', () => {
    const overdue = run(true, [{ kind: 'handoff', event: 'overdue' }], handedOver());
    const question = overdue.messages[0]!;
    expect(question).toMatchObject({ kind: 'choices', state: '@handoff', choices: [{ value: 'wait' }, { value: 'back' }] });
    const waited = run(true, [tap('@handoff', 'wait')], overdue.session);
    expect(waited.effects).toEqual([{ type: 'handoffWait' }]);
    expect(waited.session.handoff).toBeDefined();
    const back = run(true, [tap('@handoff', 'back')], overdue.session);
    expect(back.session.handoff).toBeUndefined();
  });

  it('is handed back by staff: said once, nothing for someone already back or unknown', () => {
    const ended = run(true, [{ kind: 'handoff', event: 'ended' }], handedOver());
    expect(texts(ended.messages)).toEqual([ja('handoff.user.ended_by_staff'), ja('q.offer_notified.prompt')]);
    expect(ended.effects).toEqual([]);
    expect(run(true, [{ kind: 'handoff', event: 'ended' }], ended.session).messages).toEqual([]);
    expect(step(ctx(true), undefined, { kind: 'handoff', event: 'overdue' })).toEqual({ session: undefined, messages: [], effects: [] });
  });
});
