/**
 * The pure conversation engine, driven with the real flow and locales: skip logic, the
 * meeting date, commands in both languages, bad input, first contact and flow migration.
 * Expected texts come from the real catalogs (see `tr`), so a changed sentence does not
 * break these tests but a wrong key or a lost answer does.
 */
import { describe, expect, it } from 'vitest';
import type { Content } from '../src/conversation/content.ts';
import { step, type EngineContext } from '../src/conversation/engine.ts';
import { translate, type Vars } from '../src/conversation/i18n.ts';
import type { Session } from '../src/conversation/session.ts';
import type { Inbound, Locale, Outbound, SideEffect } from '../src/conversation/types.ts';
import { content } from './support/conversation.ts';

// ---------------------------------------------------------------------------- helpers

const NOW = new Date('2026-11-26T01:00:00Z'); // Thursday 2026-11-26 10:00 in Tokyo
const DAY = 86_400_000;

function ctx(c: Content = content()): EngineContext {
  return { content: c, now: NOW, maxDaysAhead: 180, defaults: { locale: 'ja', timeZone: 'Asia/Tokyo' } };
}

/** A string is typed text; anything else is sent as is. */
type Input = Inbound | string;

function inbound(input: Input): Inbound {
  return typeof input === 'string' ? { kind: 'text', text: input } : input;
}

interface Fed {
  session: Session | null;
  /** Every message of every step, in order. */
  messages: Outbound[];
  effects: SideEffect[];
  /** Messages and effects of the last step only. */
  last: { messages: Outbound[]; effects: SideEffect[] };
}

/** Feeds the inputs one step at a time, starting from `session` (undefined: a new user). */
function feed(session: Session | null | undefined, inputs: Input[], c: EngineContext = ctx()): Fed {
  let current = session ?? null;
  const messages: Outbound[] = [];
  const effects: SideEffect[] = [];
  let last: Fed['last'] = { messages: [], effects: [] };
  for (const input of inputs) {
    const result = step(c, current ?? undefined, inbound(input));
    // undefined: the step had nothing to save.
    if (result.session !== undefined) current = result.session;
    messages.push(...result.messages);
    effects.push(...result.effects);
    last = { messages: result.messages, effects: result.effects };
  }
  return { session: current, messages, effects, last };
}

/** The session after greeting a new user and answering `inputs`. */
function at(inputs: Input[]): Session {
  const { session } = feed(undefined, [{ kind: 'start' }, ...inputs]);
  if (!session) throw new Error('no session');
  return session;
}

function tap(state: string, value: string): Inbound {
  return { kind: 'choice', value, state };
}

function tr(locale: Locale, key: string, vars?: Vars): string {
  return translate(content().catalog, locale, key, vars);
}

/** Stands for the one-line "answer with one of these" said when nothing answers. */
const EXPECTED = 'expected';

/** "「A」、「B」のどれか（番号でも）で答えてください。" for a question, from the real catalog. */
function expectedLine(locale: Locale, state: string): string {
  const st = content().flow.states[state];
  if (!st || st.type === 'result') throw new Error(`${state} is not a question`);
  const list = st.choices.map((c) => tr(locale, 'reading.expected.item', { label: tr(locale, c.label) })).join(tr(locale, 'reading.expected.separator'));
  return tr(locale, st.type === 'datetime' ? 'reading.expected.date' : 'reading.expected.choice', { choices: list });
}

function texts(messages: Outbound[]): string[] {
  return messages.flatMap((m) => (m.kind === 'text' ? [m.text] : []));
}

type Question = Extract<Outbound, { kind: 'choices' | 'dateInput' }>;

/** The question a step ends with: every step must end with one (or delete the session). */
function lastQuestion(messages: Outbound[]): Question {
  const last = messages.at(-1);
  if (!last || (last.kind !== 'choices' && last.kind !== 'dateInput')) {
    throw new Error(`expected the step to end with a question, got ${JSON.stringify(last)}`);
  }
  return last;
}

function promptKey(state: string): string {
  const st = content().flow.states[state];
  if (!st || st.type === 'result') throw new Error(`${state} is not a question`);
  return st.prompt;
}

/** Asserts the step ended by asking `state` in `locale`. */
function expectAsked(messages: Outbound[], state: string, locale: Locale = 'ja'): Question {
  const q = lastQuestion(messages);
  expect(q.state).toBe(state);
  if (!state.startsWith('@')) expect(q.text).toBe(tr(locale, promptKey(state)));
  return q;
}

function ofType<T extends SideEffect['type']>(effects: SideEffect[], type: T): Extract<SideEffect, { type: T }>[] {
  return effects.filter((e): e is Extract<SideEffect, { type: T }> => e.type === type);
}

type Card = Extract<Outbound, { kind: 'card' }>;
function cards(messages: Outbound[]): Card[] {
  return messages.filter((m): m is Card => m.kind === 'card');
}

// Answers up to a given question (buttons), for the common "no offer yet" path.
const TO_CONTACT: Input[] = [tap('offer_notified', 'no')];
const TO_FIRST_CHOICE: Input[] = [...TO_CONTACT, tap('contact_from', 'hr'), tap('purpose', 'intent')];
const TO_DATE: Input[] = [...TO_FIRST_CHOICE, tap('first_choice', 'yes'), tap('other_status', 'none')];
const TO_MENU: Input[] = [...TO_DATE, '12/3 14:00', tap('meeting_mode', 'online')];

// ---------------------------------------------------------------------------- first contact

describe('first contact', () => {
  it.each<[Input, string[]]>([
    [{ kind: 'start' }, []],
    [{ kind: 'unsupported', what: 'sticker' }, []],
    // Typed first messages are acknowledged before the welcome (issue #13).
    ['こんにちは', ['reading.first.greeting']],
    ['1', ['reading.first.other']],
    ['最終面接のあとに面談の連絡が来ました', ['reading.first.invite']],
    ['面談って内定ってことですか？', ['reading.first.question']],
  ])(
    'a new user (%j) gets the welcome and the first question',
    (input, acknowledgement) => {
      const fed = feed(undefined, [input]);
      expect(texts(fed.messages)).toEqual([...acknowledgement.map((k) => tr('ja', k)), tr('ja', 'system.welcome')]);
      expectAsked(fed.messages, 'offer_notified');
      expect(fed.messages).toHaveLength(acknowledgement.length + 2);
      expect(fed.session?.state).toBe('offer_notified');
      expect(fed.session?.answers).toEqual({});
      expect(fed.session?.flowVersion).toBe(content().flow.version);
    },
  );

  it('the first question offers its choices as buttons with localized labels', () => {
    const q = expectAsked(feed(undefined, ['hi']).messages, 'offer_notified');
    expect(q.choices.map((c) => c.value)).toEqual(['yes', 'no', 'unsure']);
    expect(q.choices[0]?.label).toBe(tr('ja', 'q.offer_notified.yes'));
  });

  it('{kind: start} on an existing session: welcome back and the current question, answers kept', () => {
    const before = at(TO_FIRST_CHOICE);
    const fed = feed(before, [{ kind: 'start' }]);
    expect(texts(fed.messages)).toEqual([tr('ja', 'system.welcome_back')]);
    expectAsked(fed.messages, 'first_choice');
    expect(fed.session?.answers).toEqual(before.answers);
    expect(fed.messages.some((m) => m.kind === 'text' && m.text === tr('ja', 'system.welcome'))).toBe(false);
  });
});

// ---------------------------------------------------------------------------- skip logic

describe('skip logic', () => {
  it('offer already notified ("yes") skips the purpose question', () => {
    const fed = feed(at([tap('offer_notified', 'yes')]), [tap('contact_from', 'hr')]);
    expectAsked(fed.messages, 'first_choice');
    expect(fed.messages.some((m) => 'state' in m && m.state === 'purpose')).toBe(false);
    expect(fed.session?.answers).toEqual({ offer_notified: 'yes', contact_from: 'hr' });
  });

  it.each(['no', 'unsure'])('offer "%s" asks the purpose', (offer) => {
    const fed = feed(at([tap('offer_notified', offer)]), [tap('contact_from', 'hr')]);
    expectAsked(fed.messages, 'purpose');
  });

  it('back from the question after a skipped one returns to the one before the skip', () => {
    const fed = feed(at([tap('offer_notified', 'yes'), tap('contact_from', 'recruiter')]), ['戻る']);
    expectAsked(fed.messages, 'contact_from');
    expect(fed.session?.answers).toEqual({ offer_notified: 'yes' });
  });

  it('going back past the skipped question and changing the offer answer asks the purpose', () => {
    const fed = feed(at([tap('offer_notified', 'yes'), tap('contact_from', 'hr')]), ['戻る', '戻る', 'no', 'hr']);
    expectAsked(fed.messages, 'purpose');
    expect(fed.session?.answers).toEqual({ offer_notified: 'no', contact_from: 'hr' });
    expect(fed.session?.history).toEqual(['offer_notified', 'contact_from']);
  });

  it('changing the offer answer to "yes" drops the purpose and skips it', () => {
    const fed = feed(at(TO_FIRST_CHOICE), ['back', 'back', 'back', 'yes', 'hr']);
    expectAsked(fed.messages, 'first_choice');
    expect(fed.session?.answers).toEqual({ offer_notified: 'yes', contact_from: 'hr' });
  });

  it('a full "yes" path never records a purpose and back from the menu walks the real history', () => {
    const done = feed(at([]), ['yes', 'hr', 'yes', 'none', 'not decided', 'online']);
    expect(done.session?.state).toBe('menu');
    expect(done.session?.answers.purpose).toBeUndefined();
    const fed = feed(done.session, ['back', 'back', 'back', 'back', 'back']);
    expectAsked(fed.messages, 'contact_from');
    expect(fed.session?.verdict).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------- the meeting date

describe('meeting date question', () => {
  it('asks with a date input bounded by now and maxDaysAhead', () => {
    const fed = feed(at(TO_FIRST_CHOICE), [tap('first_choice', 'yes'), tap('other_status', 'none')]);
    const q = expectAsked(fed.messages, 'meeting_date');
    expect(q.kind).toBe('dateInput');
    if (q.kind !== 'dateInput') return;
    expect(q.min).toBe(NOW.toISOString());
    expect(q.max).toBe(new Date(NOW.getTime() + 180 * DAY).toISOString());
    expect(q.choices.map((c) => c.value)).toEqual(['not_yet', 'not_replied']);
  });

  it.each([
    ['12/3 14:00', '2026-12-03T05:00:00.000Z', '12月3日(木) 14:00'],
    ['12月3日 14時', '2026-12-03T05:00:00.000Z', '12月3日(木) 14:00'],
    ['明日 15時', '2026-11-27T06:00:00.000Z', '11月27日(金) 15:00'],
    ['2026-12-03T14:00', '2026-12-03T05:00:00.000Z', '12月3日(木) 14:00'],
  ])('"%s" is accepted as %s (Asia/Tokyo)', (typed, iso, shown) => {
    const fed = feed(at(TO_DATE), [typed]);
    expect(ofType(fed.effects, 'meetingSet')).toEqual([{ type: 'meetingSet', at: iso, timeZone: 'Asia/Tokyo' }]);
    expect(texts(fed.messages)).toContain(tr('ja', 'system.date.confirmed', { when: shown }));
    expectAsked(fed.messages, 'meeting_mode');
    expect(fed.session?.answers.meeting_date).toBe(iso);
  });

  it.each([
    ['11/20 10:00', 'past'],
    ['明日', 'missing_time'],
    ['12/3', 'missing_time'],
    ['2027-06-01 10:00', 'too_far'],
  ])('"%s" is refused with the %s re-ask and the question stays', (typed, reason) => {
    const before = at(TO_DATE);
    const fed = feed(before, [typed]);
    expect(texts(fed.messages)).toEqual([tr('ja', `system.date.${reason}`, { days: 180 })]);
    expectAsked(fed.messages, 'meeting_date');
    expect(ofType(fed.effects, 'meetingSet')).toEqual([]);
    expect(fed.session?.state).toBe('meeting_date');
    expect(fed.session?.answers).toEqual(before.answers);
  });

  it.each(['来週のどこか', 'asdf'])('"%s" is answered with what was expected: a date or a choice, in one line', (typed) => {
    const before = at(TO_DATE);
    const fed = feed(before, [typed]);
    expect(texts(fed.messages)).toEqual([expectedLine('ja', 'meeting_date')]);
    expectAsked(fed.messages, 'meeting_date');
    expect(fed.session?.answers).toEqual(before.answers);
  });

  it('the too-far re-ask names the limit in days', () => {
    const fed = feed(at(TO_DATE), ['2027-06-01 10:00']);
    expect(texts(fed.messages)[0]).toContain('180');
  });

  it('a date exactly within the limit is kept, one day beyond it is not', () => {
    // 180 days from 2026-11-26 10:00 Tokyo is 2027-05-25 10:00.
    expect(ofType(feed(at(TO_DATE), ['2027-05-25 09:00']).effects, 'meetingSet')).toHaveLength(1);
    expect(ofType(feed(at(TO_DATE), ['2027-05-26 09:00']).effects, 'meetingSet')).toHaveLength(0);
  });

  it('a picker value {kind: datetime} is read as wall-clock time in the user zone', () => {
    const fed = feed(at(TO_DATE), [{ kind: 'datetime', iso: '2026-12-03T14:00', state: 'meeting_date' }]);
    expect(ofType(fed.effects, 'meetingSet')).toEqual([
      { type: 'meetingSet', at: '2026-12-03T05:00:00.000Z', timeZone: 'Asia/Tokyo' },
    ]);
    expectAsked(fed.messages, 'meeting_mode');
  });

  it('a past picker value gets the past re-ask', () => {
    const fed = feed(at(TO_DATE), [{ kind: 'datetime', iso: '2026-11-01T10:00', state: 'meeting_date' }]);
    expect(texts(fed.messages)).toEqual([tr('ja', 'system.date.past', { days: 180 })]);
    expectAsked(fed.messages, 'meeting_date');
  });

  it('a picker value at a choice question is refused as a stale button', () => {
    const before = at(TO_FIRST_CHOICE);
    const fed = feed(before, [{ kind: 'datetime', iso: '2026-12-03T14:00' }]);
    expect(texts(fed.messages)).toEqual([tr('ja', 'system.stale_button')]);
    expectAsked(fed.messages, 'first_choice');
    expect(fed.session?.answers).toEqual(before.answers);
  });

  it.each<Input>([tap('meeting_date', 'not_replied'), '未返信', '2', 'not replied'])(
    '"not replied" (%j) emits replyPending and the reply-fast advice, then moves on',
    (input) => {
      const fed = feed(at(TO_DATE), [input]);
      expect(ofType(fed.effects, 'replyPending')).toHaveLength(1);
      expect(texts(fed.messages)).toContain(tr('ja', 'q.meeting_date.reply_fast'));
      expectAsked(fed.messages, 'meeting_mode');
      expect(fed.session?.answers.meeting_date).toBe('not_replied');
      expect(ofType(fed.effects, 'meetingSet')).toEqual([]);
    },
  );

  it('"not yet" clears any meeting and moves on without replyPending', () => {
    const fed = feed(at(TO_DATE), [tap('meeting_date', 'not_yet')]);
    expect(ofType(fed.effects, 'meetingCleared')).toHaveLength(1);
    expect(ofType(fed.effects, 'replyPending')).toEqual([]);
    expectAsked(fed.messages, 'meeting_mode');
  });

  it('a new date typed at the menu moves the meeting without restarting', () => {
    const before = at(TO_MENU);
    expect(before.state).toBe('menu');
    const fed = feed(before, ['12/10 15:00']);
    expect(ofType(fed.effects, 'meetingSet')).toEqual([
      { type: 'meetingSet', at: '2026-12-10T06:00:00.000Z', timeZone: 'Asia/Tokyo' },
    ]);
    expect(ofType(fed.effects, 'verdictReached')).toEqual([]);
    expect(texts(fed.messages)).toContain(tr('ja', 'system.date.confirmed', { when: '12月10日(木) 15:00' }));
    expect(texts(fed.messages)).not.toContain(tr('ja', 'system.restart'));
    expect(cards(fed.messages)).toEqual([]);
    expectAsked(fed.messages, 'menu');
    expect(fed.session?.verdict).toBe(before.verdict);
    expect(fed.session?.answers).toEqual({ ...before.answers, meeting_date: '2026-12-10T06:00:00.000Z' });
    expect(fed.session?.history).toEqual(before.history);

    // The result shown again carries the new date.
    const again = feed(fed.session, ['結果']);
    const card = cards(again.messages)[0];
    expect(card?.altText).toContain('12月10日(木) 15:00');
    expect(card?.altText).not.toContain('12月3日(木) 14:00');
  });
});

// ---------------------------------------------------------------------------- commands

describe('commands', () => {
  describe('restart', () => {
    it.each(['最初から', 'restart', 'Restart', 'やり直し', 'start over'])('"%s" mid-flow clears the answers', (word) => {
      const fed = feed(at(TO_FIRST_CHOICE), [word]);
      expect(texts(fed.messages)).toEqual([tr('ja', 'system.restart')]);
      expectAsked(fed.messages, 'offer_notified');
      expect(fed.session?.answers).toEqual({});
      expect(fed.session?.history).toEqual([]);
    });

    it('after the result it also forgets the verdict but keeps language and opt-out', () => {
      const fed = feed(at(['English', '配信停止', ...TO_MENU]), ['restart']);
      expect(fed.session?.verdict).toBeUndefined();
      expect(fed.session?.locale).toBe('en');
      expect(fed.session?.optedOut).toBe(true);
      expectAsked(fed.messages, 'offer_notified', 'en');
    });
  });

  describe('back', () => {
    it.each(['戻る', 'back', 'BACK', '戻る。', 'ひとつ前'])('"%s" returns to the previous question and forgets its answer', (word) => {
      const fed = feed(at(TO_FIRST_CHOICE), [word]);
      expectAsked(fed.messages, 'purpose');
      expect(fed.session?.answers).toEqual({ offer_notified: 'no', contact_from: 'hr' });
    });

    it('back at the first question says so and re-asks it', () => {
      const fed = feed(at([]), ['back']);
      expect(texts(fed.messages)).toEqual([tr('ja', 'system.back_at_start')]);
      expectAsked(fed.messages, 'offer_notified');
      expect(fed.session?.state).toBe('offer_notified');
    });

    it('back several times walks to the start, then stays there', () => {
      const fed = feed(at(TO_FIRST_CHOICE), ['戻る', '戻る', '戻る', '戻る']);
      expect(texts(fed.last.messages)).toEqual([tr('ja', 'system.back_at_start')]);
      expect(fed.session?.answers).toEqual({});
    });
  });

  describe('help', () => {
    it.each(['ヘルプ', 'help', '?', '使い方'])('"%s" shows the help and re-asks the current question', (word) => {
      const before = at(TO_FIRST_CHOICE);
      const fed = feed(before, [word]);
      expect(texts(fed.messages)).toEqual([tr('ja', 'system.help')]);
      expectAsked(fed.messages, 'first_choice');
      expect(fed.session?.answers).toEqual(before.answers);
    });

    it('help in English after switching', () => {
      const fed = feed(at(['English']), ['help']);
      expect(texts(fed.messages)).toEqual([tr('en', 'system.help')]);
    });
  });

  describe('language', () => {
    it('"English" switches, emits localeChanged and re-asks the current question in English', () => {
      const before = at(TO_CONTACT);
      const fed = feed(before, ['English']);
      expect(fed.session?.locale).toBe('en');
      expect(fed.effects).toContainEqual({ type: 'localeChanged', locale: 'en' });
      expect(texts(fed.messages)).toEqual([tr('en', 'system.language_changed')]);
      const q = expectAsked(fed.messages, 'contact_from', 'en');
      expect(q.choices.map((c) => c.label)).toContain(tr('en', 'q.contact_from.recruiter'));
      expect(fed.session?.answers).toEqual(before.answers);
    });

    it('"日本語" switches back', () => {
      const fed = feed(at(['English', ...TO_CONTACT]), ['日本語']);
      expect(fed.session?.locale).toBe('ja');
      expect(fed.effects).toContainEqual({ type: 'localeChanged', locale: 'ja' });
      expect(texts(fed.messages)).toEqual([tr('ja', 'system.language_changed')]);
      expectAsked(fed.messages, 'contact_from', 'ja');
    });

    it('"言語" / "language" toggle between the two', () => {
      const first = feed(at(TO_CONTACT), ['言語']);
      expect(first.session?.locale).toBe('en');
      const second = feed(first.session, ['language']);
      expect(second.session?.locale).toBe('ja');
      expect(second.effects).toEqual([{ type: 'localeChanged', locale: 'ja' }]);
    });

    it('the date question re-asked in English is still a date input', () => {
      const fed = feed(at(TO_DATE), ['english']);
      const q = expectAsked(fed.messages, 'meeting_date', 'en');
      expect(q.kind).toBe('dateInput');
      expect(q.choices.map((c) => c.label)).toEqual([
        tr('en', 'q.meeting_date.not_yet'),
        tr('en', 'q.meeting_date.not_replied'),
      ]);
    });

    it('messages after the switch stay in English (date confirmation)', () => {
      const fed = feed(at([...TO_DATE, 'English']), ['12/3 14:00']);
      expect(texts(fed.messages)).toEqual([tr('en', 'system.date.confirmed', { when: 'Thu, Dec 3, 14:00' })]);
    });
  });

  describe('tip messages opt-out', () => {
    it.each(['配信停止', 'stop tips'])('"%s" opts out and re-asks the question', (word) => {
      const before = at(TO_FIRST_CHOICE);
      const fed = feed(before, [word]);
      expect(fed.session?.optedOut).toBe(true);
      expect(ofType(fed.effects, 'optOut')).toHaveLength(1);
      expect(texts(fed.messages)).toEqual([tr('ja', 'system.opted_out')]);
      expectAsked(fed.messages, 'first_choice');
      expect(fed.session?.answers).toEqual(before.answers);
    });

    it.each(['配信再開', 'resume tips'])('"%s" opts back in', (word) => {
      const fed = feed(at([...TO_FIRST_CHOICE, '配信停止']), [word]);
      expect(fed.session?.optedOut).toBe(false);
      expect(ofType(fed.effects, 'optIn')).toHaveLength(1);
      expect(texts(fed.messages)).toEqual([tr('ja', 'system.opted_in')]);
      expectAsked(fed.messages, 'first_choice');
    });
  });

  describe('delete my data', () => {
    it.each(['データ削除', 'delete my data'])('"%s" asks for confirmation first, deleting nothing yet', (word) => {
      const fed = feed(at(TO_FIRST_CHOICE), [word]);
      const q = expectAsked(fed.messages, '@confirm_delete');
      expect(q.text).toBe(tr('ja', 'system.delete.confirm'));
      expect(q.choices.map((c) => c.value)).toEqual(['yes', 'no']);
      expect(fed.effects).toEqual([]);
      expect(fed.session).not.toBeNull();
    });

    it.each<Input>([tap('@confirm_delete', 'yes'), 'yes', '1'])('confirming (%j) deletes: deleteData and session null', (yes) => {
      const fed = feed(at([...TO_FIRST_CHOICE, 'データ削除']), [yes]);
      expect(ofType(fed.effects, 'deleteData')).toHaveLength(1);
      expect(fed.session).toBeNull();
      expect(texts(fed.messages)).toEqual([tr('ja', 'system.delete.done')]);
    });

    it('after deleting, the next message starts over as a new user', () => {
      const fed = feed(at([...TO_FIRST_CHOICE, 'データ削除']), [tap('@confirm_delete', 'yes'), 'こんにちは']);
      expect(texts(fed.last.messages)).toEqual([tr('ja', 'reading.first.greeting'), tr('ja', 'system.welcome')]);
      expect(fed.session?.answers).toEqual({});
    });

    it.each<Input>([tap('@confirm_delete', 'no'), 'no', '2'])('declining (%j) resumes where the user was', (no) => {
      const before = at(TO_FIRST_CHOICE);
      const fed = feed(before, ['delete my data', no]);
      expect(texts(fed.last.messages)).toEqual([tr('ja', 'system.delete.cancelled')]);
      expectAsked(fed.messages, 'first_choice');
      expect(fed.session?.answers).toEqual(before.answers);
      expect(fed.session?.state).toBe('first_choice');
      expect(fed.effects).toEqual([]);
    });

    it('back at the confirmation also resumes without deleting', () => {
      const fed = feed(at(TO_FIRST_CHOICE), ['データ削除', '戻る']);
      expectAsked(fed.messages, 'first_choice');
      expect(fed.session?.answers.purpose).toBe('intent');
    });
  });

  describe('tips', () => {
    it('"ヒント" opens the tips list: at least 10 topics plus a way back', () => {
      const fed = feed(at(TO_FIRST_CHOICE), ['ヒント']);
      const q = expectAsked(fed.messages, '@tips');
      expect(q.text).toBe(tr('ja', 'system.tips.prompt'));
      const tips = content().tips;
      expect(tips.length).toBeGreaterThanOrEqual(10);
      expect(q.choices.slice(0, tips.length).map((c) => c.label)).toEqual(tips.map((t) => tr('ja', `tips.${t.id}.title`)));
      expect(q.choices.at(-1)?.label).toBe(tr('ja', 'system.tips.back'));
    });

    it('picking a topic shows its card and keeps the list open; back resumes the question', () => {
      const before = at(TO_FIRST_CHOICE);
      const opened = feed(before, ['ヒント', tap('@tips', 'recruiter')]);
      const card = cards(opened.last.messages)[0];
      expect(card?.title).toBe(tr('ja', 'tips.recruiter.title'));
      expect(card?.sections.flatMap((s) => s.lines)).toEqual(tr('ja', 'tips.recruiter.body').split('\n').filter(Boolean));
      expectAsked(opened.last.messages, '@tips');

      const back = feed(opened.session, ['back']);
      expectAsked(back.messages, 'first_choice');
      expect(back.session?.answers).toEqual(before.answers);
      expect(back.session?.returnTo).toBeUndefined();
    });

    it('English: "tips", a number, then the back button', () => {
      const fed = feed(at(['English', ...TO_CONTACT]), ['tips', '3']);
      const third = content().tips[2]!;
      expect(cards(fed.last.messages)[0]?.title).toBe(tr('en', `tips.${third.id}.title`));
      const q = lastQuestion(fed.last.messages);
      const resume = q.choices.at(-1)!;
      const back = feed(fed.session, [tap('@tips', resume.value)]);
      expectAsked(back.messages, 'contact_from', 'en');
    });

    it('opened from the menu, back returns to the menu', () => {
      const fed = feed(at(TO_MENU), [tap('menu', 'tips'), tap('@tips', 'negotiation'), '戻る']);
      expectAsked(fed.last.messages, 'menu');
      expect(fed.session?.verdict).toBe('closing_meeting');
    });

    it.each([
      ['逆質問', 'questions_to_ask'],
      ['逆質問は何を聞けばいい？', 'questions_to_ask'],
      ['red flags', 'losing_offer'],
      ['内定取り消しが心配', 'after_offer'],
    ])('a tip keyword typed mid-flow ("%s") shows that tip and re-asks the question', (typed, tip) => {
      const before = at(TO_FIRST_CHOICE);
      const fed = feed(before, [typed]);
      expect(cards(fed.messages).map((c) => c.title)).toEqual([tr('ja', `tips.${tip}.title`)]);
      expectAsked(fed.messages, 'first_choice');
      expect(fed.session?.state).toBe('first_choice');
      expect(fed.session?.answers).toEqual(before.answers);
      expect(texts(fed.messages)).not.toContain(expectedLine('ja', 'first_choice'));
    });

    it('a tip keyword at the date question shows the tip rather than a date error, saying it was not taken as an answer', () => {
      const fed = feed(at(TO_DATE), ['オンライン面談の準備は？']);
      expect(cards(fed.messages).map((c) => c.title)).toEqual([tr('ja', 'tips.online_setup.title')]);
      expect(texts(fed.messages)).toEqual([tr('ja', 'reading.tip_instead')]);
      expectAsked(fed.messages, 'meeting_date');
    });
  });

  it('commands work at the menu too (back returns to the last question)', () => {
    const fed = feed(at(TO_MENU), ['戻る']);
    expectAsked(fed.messages, 'meeting_mode');
    expect(fed.session?.verdict).toBeUndefined();
  });

  it('"結果" before the diagnosis is finished says so and re-asks', () => {
    const fed = feed(at(TO_FIRST_CHOICE), ['結果']);
    expect(texts(fed.messages)).toEqual([tr('ja', 'system.no_result_yet')]);
    expectAsked(fed.messages, 'first_choice');
  });
});

// ---------------------------------------------------------------------------- bad input

describe('bad input never crashes or loses answers', () => {
  const LONG = 'あ'.repeat(5000);
  const CASES: [string, Input, string][] = [
    ['emoji', '😀🙏', EXPECTED],
    ['a sticker', { kind: 'unsupported', what: 'sticker' }, 'system.fallback.unsupported'],
    ['5,000 characters', LONG, 'system.fallback.too_long'],
    ['an empty string', '', 'system.fallback.empty'],
    ['whitespace', '  \n\t　 ', 'system.fallback.empty'],
    ['punctuation only', '。', 'system.fallback.empty'],
    ['garbage text', 'zxqv blorp 12345678', EXPECTED],
    ['a number out of range', '9', EXPECTED],
  ];

  it.each(CASES)('%s at a choice question: polite fallback and the question again', (_name, input, key) => {
    const before = at(TO_FIRST_CHOICE);
    const fed = feed(before, [input]);
    expect(texts(fed.messages)).toEqual([key === EXPECTED ? expectedLine('ja', 'first_choice') : tr('ja', key)]);
    expectAsked(fed.messages, 'first_choice');
    expect(fed.session).toEqual({ ...before, updatedAt: NOW.toISOString() });
    expect(fed.effects).toEqual([]);
  });

  it('the fallback follows the language', () => {
    const fed = feed(at(['English', ...TO_CONTACT]), ['zxqv blorp']);
    expect(texts(fed.messages)).toEqual([expectedLine('en', 'contact_from')]);
    expect(texts(fed.messages)[0]).toContain(`"${tr('en', 'q.contact_from.hr')}"`);
    expectAsked(fed.messages, 'contact_from', 'en');
  });

  // Every place a user can be, every kind of bad input: no throw, same place, same answers.
  const PLACES: [string, Input[]][] = [
    ['offer_notified', []],
    ['contact_from', TO_CONTACT],
    ['purpose', [...TO_CONTACT, tap('contact_from', 'hr')]],
    ['first_choice', TO_FIRST_CHOICE],
    ['other_status', [...TO_FIRST_CHOICE, tap('first_choice', 'no')]],
    ['meeting_date', TO_DATE],
    ['meeting_mode', [...TO_DATE, tap('meeting_date', 'not_yet')]],
    ['menu', TO_MENU],
    ['@tips', [...TO_FIRST_CHOICE, 'ヒント']],
    ['@confirm_delete', [...TO_FIRST_CHOICE, 'データ削除']],
  ];
  const BAD: Input[] = [
    ...CASES.map(([, input]) => input),
    { kind: 'unsupported', what: 'image' },
    '\u0000\u200b',
    '<script>alert(1)</script>',
    '{{}}{question}',
    '12/3 99:99',
  ];

  it.each(PLACES)('at %s', (state, path) => {
    const before = at(path);
    expect(before.state).toBe(state);
    for (const input of BAD) {
      const fed = feed(before, [input]);
      expect(fed.session?.state, JSON.stringify(input)).toBe(state);
      expect(fed.session?.answers, JSON.stringify(input)).toEqual(before.answers);
      expect(fed.session?.history).toEqual(before.history);
      expect(lastQuestion(fed.messages).state).toBe(state);
      expect(ofType(fed.effects, 'deleteData')).toEqual([]);
      expect(ofType(fed.effects, 'meetingSet')).toEqual([]);
      // Something polite was said before the question.
      expect(fed.messages.length).toBeGreaterThanOrEqual(2);
    }
  });

  it('a stale button (from an earlier question) is refused politely and changes nothing', () => {
    const before = at(TO_FIRST_CHOICE);
    // "yes" exists at first_choice too, but the tap belonged to offer_notified.
    const fed = feed(before, [tap('offer_notified', 'yes')]);
    expect(texts(fed.messages)).toEqual([tr('ja', 'system.stale_button')]);
    expectAsked(fed.messages, 'first_choice');
    expect(fed.session?.answers).toEqual(before.answers);
  });

  it('a button with the current state but an unknown value is refused', () => {
    const fed = feed(at(TO_FIRST_CHOICE), [tap('first_choice', 'maybe')]);
    expect(texts(fed.messages)).toEqual([tr('ja', 'system.stale_button')]);
    expectAsked(fed.messages, 'first_choice');
  });

  it('a question button tapped after the result is refused at the menu', () => {
    const before = at(TO_MENU);
    const fed = feed(before, [tap('meeting_mode', 'in_person')]);
    expect(texts(fed.messages)).toEqual([tr('ja', 'system.stale_button')]);
    expectAsked(fed.messages, 'menu');
    expect(fed.session?.answers.meeting_mode).toBe('online');
    expect(ofType(fed.effects, 'verdictReached')).toEqual([]);
  });

  it('a tips button after the tips list was closed is refused', () => {
    const fed = feed(at([...TO_FIRST_CHOICE, 'ヒント', 'back']), [tap('@tips', 'recruiter')]);
    expect(texts(fed.messages)).toEqual([tr('ja', 'system.stale_button')]);
    expect(cards(fed.messages)).toEqual([]);
    expectAsked(fed.messages, 'first_choice');
  });

  it('a delete confirmation tapped after it was declined does not delete', () => {
    const fed = feed(at([...TO_FIRST_CHOICE, 'データ削除', 'no']), [tap('@confirm_delete', 'yes')]);
    expect(fed.session).not.toBeNull();
    expect(ofType(fed.effects, 'deleteData')).toEqual([]);
    expectAsked(fed.messages, 'first_choice');
  });

  it('the input session object is never mutated', () => {
    const before = at(TO_FIRST_CHOICE);
    const copy = structuredClone(before);
    feed(before, ['no']);
    feed(before, ['最初から']);
    feed(before, ['データ削除', 'yes']);
    expect(before).toEqual(copy);
  });
});

// ---------------------------------------------------------------------------- flow version change

describe('flow version change', () => {
  const version = () => content().flow.version;
  function old(partial: Partial<Session>): Session {
    return {
      flowId: 'diagnosis',
      flowVersion: 0,
      state: 'offer_notified',
      answers: {},
      history: [],
      locale: 'ja',
      timeZone: 'Asia/Tokyo',
      optedOut: false,
      updatedAt: '2026-01-01T00:00:00.000Z',
      ...partial,
    };
  }

  it('keeps the answers the flow still understands and continues at the first unanswered question', () => {
    const fed = feed(
      old({
        state: 'purpose',
        answers: { offer_notified: 'no', contact_from: 'hr' },
        history: ['offer_notified', 'contact_from'],
      }),
      ['2'],
    );
    expect(texts(fed.messages)).toEqual([tr('ja', 'system.flow_updated')]);
    expectAsked(fed.messages, 'purpose');
    expect(fed.session?.flowVersion).toBe(version());
    expect(fed.session?.answers).toEqual({ offer_notified: 'no', contact_from: 'hr' });

    // Not stuck: the next input is an ordinary answer.
    const next = feed(fed.session, ['2']);
    expectAsked(next.messages, 'first_choice');
    expect(next.session?.answers.purpose).toBe('intent');
  });

  it('drops an answer value the flow no longer has and asks that question again', () => {
    const fed = feed(
      old({
        state: 'first_choice',
        answers: { offer_notified: 'no', contact_from: 'headhunter', purpose: 'none' },
        history: ['offer_notified', 'contact_from', 'purpose'],
      }),
      ['hi'],
    );
    expect(texts(fed.messages)).toEqual([tr('ja', 'system.flow_updated')]);
    expectAsked(fed.messages, 'contact_from');
    expect(fed.session?.answers.contact_from).toBeUndefined();
    expect(fed.session?.answers.offer_notified).toBe('no');
  });

  it('restarts with the "restarted" notice when nothing is kept', () => {
    const fed = feed(
      old({
        state: 'ghost',
        answers: { offer_notified: 'maybe', ghost: 'x' },
        history: ['offer_notified', 'ghost'],
        returnTo: 'ghost',
      }),
      [tap('ghost', 'x')],
    );
    expect(texts(fed.messages)).toEqual([tr('ja', 'system.flow_restarted')]);
    expectAsked(fed.messages, 'offer_notified');
    expect(fed.session?.answers).toEqual({});
    expect(fed.session?.history).toEqual([]);
    expect(fed.session?.returnTo).toBeUndefined();
    expect(fed.session?.flowVersion).toBe(version());
  });

  it('a fully answered old session gets the result again and the menu', () => {
    const done = at(TO_MENU);
    const fed = feed({ ...done, flowVersion: 0, state: 'somewhere_old', verdict: 'offer_meeting' }, ['hi']);
    expect(texts(fed.messages)[0]).toBe(tr('ja', 'system.flow_updated'));
    expect(ofType(fed.effects, 'verdictReached')).toEqual([{ type: 'verdictReached', verdict: 'closing_meeting' }]);
    expect(cards(fed.messages)).toHaveLength(1);
    expectAsked(fed.messages, 'menu');
  });

  it('a session of another flow id is migrated too', () => {
    const session = old({ flowId: 'old_flow', flowVersion: version(), answers: { offer_notified: 'yes' }, history: ['offer_notified'] });
    const fed = feed(session, ['hi']);
    expect(fed.session?.flowId).toBe(content().flow.id);
    expectAsked(fed.messages, 'contact_from');
  });

  it('the notice is in the user language', () => {
    const fed = feed(old({ locale: 'en', answers: { offer_notified: 'no' }, history: ['offer_notified'] }), ['hi']);
    expect(texts(fed.messages)).toEqual([tr('en', 'system.flow_updated')]);
    expectAsked(fed.messages, 'contact_from', 'en');
  });

  it('a real flow change (version bump, a choice removed) moves a user to the question that lost its answer', () => {
    const changed = structuredClone(content());
    changed.flow.version = version() + 1;
    const contact = changed.flow.states.contact_from;
    if (!contact || contact.type !== 'choice') throw new Error('contact_from is a choice question');
    contact.choices = contact.choices.filter((c) => c.value !== 'agency');

    const before = at([tap('offer_notified', 'no'), tap('contact_from', 'agency'), tap('purpose', 'none')]);
    const fed = feed(before, ['1'], ctx(changed));
    expect(texts(fed.messages)).toEqual([tr('ja', 'system.flow_updated')]);
    const q = expectAsked(fed.messages, 'contact_from');
    expect(q.choices.map((c) => c.value)).not.toContain('agency');
    expect(fed.session?.flowVersion).toBe(version() + 1);

    // And on from there with the new flow.
    const next = feed(fed.session, [tap('contact_from', 'hr')], ctx(changed));
    expect(next.session?.answers.contact_from).toBe('hr');
    expect(lastQuestion(next.messages).state).not.toBe('contact_from');
  });

  // History after a migration is the path walked through the kept answers, so a kept answer
  // after the resumed question must not become the target of "back".
  it('back right after a migration goes to the question before the resumed one', () => {
    const migrated = feed(
      old({
        state: 'first_choice',
        answers: { offer_notified: 'no', contact_from: 'headhunter', purpose: 'none' },
        history: ['offer_notified', 'contact_from', 'purpose'],
      }),
      ['hi'],
    );
    expectAsked(migrated.messages, 'contact_from');
    const back = feed(migrated.session, ['戻る']);
    expectAsked(back.messages, 'offer_notified');
  });

  // A flow edited without bumping `version` may remove the state a user is in: they are
  // migrated like on a version change instead of being left without a question.
  it('a session left in a state the flow no longer has still gets a question', () => {
    const stranded: Session = { ...at(TO_FIRST_CHOICE), state: 'removed_question' };
    const fed = feed(stranded, ['1']);
    const q = lastQuestion(fed.messages);
    expect(content().flow.states[q.state] ?? q.state.startsWith('@')).toBeTruthy();
  });
});

describe('natural answers the first version missed', () => {
  it('accepts はい / いいえ at the delete confirmation', () => {
    const yes = feed(at(TO_CONTACT), ['データ削除', 'はい']);
    expect(yes.session).toBeNull();
    expect(ofType(yes.effects, 'deleteData')).toHaveLength(1);
    const no = feed(at(TO_CONTACT), ['データ削除', 'いいえ']);
    expect(no.session?.state).toBe('contact_from');
    expect(ofType(no.effects, 'deleteData')).toHaveLength(0);
  });

  it('takes "第一志望です" as the answer, not as a tip keyword', () => {
    const fed = feed(at(TO_FIRST_CHOICE), ['第一志望です']);
    expect(fed.session?.answers.first_choice).toBe('yes');
    expect(cards(fed.last.messages)).toHaveLength(0);
  });

  it('explains what is wrong with a past date typed at the menu', () => {
    const fed = feed(at(TO_MENU), ['11/20 10:00']);
    expect(texts(fed.last.messages)).toContain(tr('ja', 'system.date.past'));
    expect(fed.session?.answers.meeting_date).toBe(new Date('2026-12-03T05:00:00Z').toISOString());
  });

  it('greets in English when the very first message is "English"', () => {
    const fed = feed(undefined, ['English']);
    expect(texts(fed.messages)[0]).toBe(tr('en', 'system.welcome'));
    expectAsked(fed.messages, 'offer_notified', 'en');
  });

  it('shows the result again without announcing a new verdict', () => {
    const fed = feed(at(TO_MENU), ['結果']);
    expect(cards(fed.last.messages)).toHaveLength(1);
    expect(ofType(fed.last.effects, 'verdictReached')).toHaveLength(0);
  });
});

describe('reminders in the conversation', () => {
  it('plans reminders when the meeting date is given, and lists them', () => {
    const fed = feed(at(TO_DATE), ['12/3 14:00']);
    const change = ofType(fed.effects, 'remindersChanged').at(-1);
    expect(change?.reminders.map((r) => r.kind)).toEqual(['eve', 'before', 'after']);
    expect(fed.session?.reminders).toEqual(change?.reminders);
    const listed = feed(fed.session, ['リマインダー']);
    const text = texts(listed.last.messages).join('\n');
    expect(text).toContain(tr('ja', 'reminder.kind.eve'));
    expect(text).toContain('12月2日(水) 20:00');
    expect(text).toContain('12月3日(木) 12:00');
  });

  it('moves every reminder when a new date is typed after the result', () => {
    const fed = feed(at(TO_MENU), ['12/10 11:00']);
    const change = ofType(fed.last.effects, 'remindersChanged').at(-1);
    expect(change?.reminders.map((r) => r.at)).toEqual([
      new Date('2026-12-09T20:00:00+09:00').toISOString(),
      new Date('2026-12-10T09:00:00+09:00').toISOString(),
      new Date('2026-12-10T13:00:00+09:00').toISOString(),
    ]);
  });

  it('plans a reply reminder for "not replied yet" and none for "not fixed yet"', () => {
    const notReplied = feed(at(TO_DATE), [tap('meeting_date', 'not_replied')]);
    expect(notReplied.session?.reminders?.map((r) => r.kind)).toEqual(['reply']);
    const notYet = feed(at(TO_DATE), [tap('meeting_date', 'not_yet')]);
    expect(notYet.session?.reminders).toEqual([]);
  });

  it('cancels reminders on request, and "stop all" also stops tips', () => {
    const cancelled = feed(at(TO_MENU), ['cancel reminders']);
    expect(cancelled.session?.reminders).toEqual([]);
    expect(cancelled.session?.optedOut).toBe(false);
    const stopped = feed(at(TO_MENU), ['すべて停止']);
    expect(stopped.session?.reminders).toEqual([]);
    expect(stopped.session?.optedOut).toBe(true);
    expect(ofType(stopped.last.effects, 'remindersChanged')).toEqual([{ type: 'remindersChanged', reminders: [] }]);
  });

  it('delivers a planned reminder once and ignores a stale one', () => {
    const session = at(TO_MENU);
    const before = session.reminders!.find((r) => r.kind === 'before')!;
    const fired = feed(session, [{ kind: 'reminder', reminder: before }]);
    expect(texts(fired.last.messages).join('\n')).toContain('12月3日(木) 14:00');
    expect(fired.session?.reminders?.some((r) => r.kind === 'before')).toBe(false);
    // The same job again (a retry), or one for a meeting time that has since moved: silence.
    expect(feed(fired.session, [{ kind: 'reminder', reminder: before }]).last.messages).toEqual([]);
    const moved = feed(session, ['12/10 11:00']).session;
    expect(feed(moved, [{ kind: 'reminder', reminder: before }]).last.messages).toEqual([]);
  });

  it('asks how it went after the meeting and answers each outcome, then returns', () => {
    const session = at(TO_MENU);
    const after = session.reminders!.find((r) => r.kind === 'after')!;
    const asked = feed(session, [{ kind: 'reminder', reminder: after }]);
    const question = lastQuestion(asked.last.messages);
    expect(question.choices.map((c) => c.value)).toEqual(['offer', 'waiting', 'rejected', 'skip']);
    const answered = feed(asked.session, [tap(question.state, 'rejected')]);
    expect(texts(answered.last.messages)).toContain(tr('ja', 'reminder.followup.rejected'));
    expect(answered.session?.state).toBe('menu');
  });
});

describe('settings menu', () => {
  it('offers language, tips, reminders and deletion, and returns where the user was', () => {
    const opened = feed(at(TO_CONTACT), ['設定']);
    const menu = lastQuestion(opened.last.messages);
    expect(menu.choices.map((c) => c.value)).toEqual(['language', 'optOut', 'cancelReminders', 'askDelete', 'resume']);
    const stopped = feed(opened.session, [tap(menu.state, 'optOut')]);
    expect(stopped.session?.optedOut).toBe(true);
    // The menu now offers to resume tips instead.
    expect(lastQuestion(stopped.last.messages).choices.map((c) => c.value)).toContain('optIn');
    const english = feed(stopped.session, [tap(menu.state, 'language')]);
    expect(english.session?.locale).toBe('en');
    const back = feed(english.session, [tap(menu.state, 'resume')]);
    expectAsked(back.last.messages, 'contact_from', 'en');
  });

  it('asks before deleting from the settings menu, and "no" goes back to the question', () => {
    const fed = feed(at(TO_CONTACT), ['settings', tap('@settings', 'askDelete'), 'いいえ']);
    expect(fed.session?.state).toBe('contact_from');
    expect(ofType(fed.effects, 'deleteData')).toHaveLength(0);
  });
});

describe('a user who blocks the bot', () => {
  it('gets no message, and their reminders are cancelled', () => {
    const fed = feed(at(TO_MENU), [{ kind: 'blocked' }]);
    expect(fed.last.messages).toEqual([]);
    expect(fed.session?.reminders).toEqual([]);
    expect(ofType(fed.last.effects, 'remindersChanged')).toEqual([{ type: 'remindersChanged', reminders: [] }]);
    expect(fed.session?.state).toBe('menu');
  });

  it('gets no greeting when they never talked to the bot', () => {
    const fed = feed(undefined, [{ kind: 'blocked' }]);
    expect(fed.last.messages).toEqual([]);
    expect(fed.last.effects).toEqual([]);
  });
});

describe('inputs for someone with no conversation', () => {
  it('a reminder for a deleted or expired conversation says nothing and keeps nothing', () => {
    const result = step(ctx(), undefined, {
      kind: 'reminder',
      reminder: { kind: 'before', at: '2026-12-03T03:00:00.000Z', meetingAt: '2026-12-03T05:00:00.000Z' },
    });
    expect(result).toEqual({ session: undefined, messages: [], effects: [] });
  });
});

// ---------------------------------------------------------------------------- reading what people send

describe('answers typed in one own words, at the question they answer (issue #13)', () => {
  it.each<[string, Input[], string, string, string]>([
    ['offer_notified', [], 'まだ出ていません', 'no', 'contact_from'],
    ['offer_notified', [], 'I got an offer', 'yes', 'contact_from'],
    ['contact_from', TO_CONTACT, '人事の方から連絡がありました', 'hr', 'purpose'],
    ['contact_from', TO_CONTACT, '人事部', 'hr', 'purpose'],
    ['purpose', [...TO_CONTACT, tap('contact_from', 'hr')], '条件面談って書いてありました', 'conditions', 'first_choice'],
    ['purpose', [...TO_CONTACT, tap('contact_from', 'hr')], '他社の選考状況を聞きたいそうです', 'other_companies', 'first_choice'],
    ['first_choice', TO_FIRST_CHOICE, '第二志望くらい', 'no', 'other_status'],
    ['other_status', [...TO_FIRST_CHOICE, tap('first_choice', 'yes')], '受けてないです', 'none', 'meeting_date'],
    ['meeting_mode', [...TO_DATE, tap('meeting_date', 'not_yet')], 'Teamsで', 'online', 'menu'],
    ['meeting_mode', [...TO_DATE, tap('meeting_date', 'not_yet')], 'オンラインです', 'online', 'menu'],
  ])('at %s, %j is %s', (question, path, typed, value, next) => {
    const fed = feed(at(path), [typed]);
    expect(fed.session?.answers[question]).toBe(value);
    expect(lastQuestion(fed.messages).state).toBe(next);
    // Never taken for a tip keyword, even when it holds one (他社, 選考状況, オンライン).
    expect(cards(fed.messages).filter((c) => c.title !== '' && c.sections.length === 1)).toEqual([]);
  });

  it.each([
    ['12月3日（木）14:00〜15:00', '2026-12-03T05:00:00.000Z'],
    ['来週の火曜14時', '2026-12-01T05:00:00.000Z'],
    ['明後日の昼12時', '2026-11-28T03:00:00.000Z'],
  ])('at the date question, %j is the meeting', (typed, iso) => {
    const fed = feed(at(TO_DATE), [typed]);
    expect(ofType(fed.effects, 'meetingSet')).toEqual([{ type: 'meetingSet', at: iso, timeZone: 'Asia/Tokyo' }]);
    expectAsked(fed.messages, 'meeting_mode');
  });

  it('a weekday that does not match the date is asked about, not trusted', () => {
    const fed = feed(at(TO_DATE), ['12月3日（水）14:00']);
    expect(texts(fed.messages)).toEqual([tr('ja', 'reading.date_weekday', { when: '12月3日(木) 14:00' })]);
    expect(ofType(fed.effects, 'meetingSet')).toEqual([]);
    expectAsked(fed.messages, 'meeting_date');
  });

  it('at the first question, unanswered words are acknowledged rather than refused', () => {
    const fed = feed(at([]), ['最終面接のあとに面談の連絡が来ました']);
    expect(texts(fed.messages)).toEqual([tr('ja', 'reading.first.invite')]);
    expectAsked(fed.messages, 'offer_notified');
  });

  it('acknowledges only the first words: later words that answer nothing get the expected choices', () => {
    const first = feed(at([]), ['最終面接のあとに面談の連絡が来ました']);
    const fed = feed(first.session, ['よろしくお願いします']);
    expect(texts(fed.messages)).toEqual([expectedLine('ja', 'offer_notified')]);
    expectAsked(fed.messages, 'offer_notified');
    const opened = feed(undefined, ['こんにちは', 'よろしくお願いします']);
    expect(texts(opened.messages).filter((t) => t === tr('ja', 'reading.first.greeting'))).toHaveLength(1);
  });
});

const MAIL = [
  '山田様',
  '',
  '株式会社ミナトテック 人事部の佐藤です。',
  '入社のご意思を確認させていただきたく、面談の場を設けたく存じます。',
  '日時：12月11日（金）16:00〜17:00',
  '形式：オンライン（Zoom）',
  '12月4日（金）までにご返信ください。',
].join('\n');

describe('a pasted invitation (issue #13)', () => {
  it('is shown back as one card with confirm and correct buttons; only what it leaves open is asked', () => {
    const before = at(TO_CONTACT);
    let fed = feed(before, [MAIL]);
    const card = lastQuestion(fed.messages);
    expect(card.state).toBe('@invite_confirm');
    const summary = [
      tr('ja', 'reading.invite.card.contact', { label: tr('ja', 'q.contact_from.hr') }),
      tr('ja', 'reading.invite.card.purpose', { label: tr('ja', 'q.purpose.intent') }),
      tr('ja', 'reading.invite.card.offer.no'),
      '12月11日(金) 16:00',
      tr('ja', 'q.meeting_mode.online'),
      tr('ja', 'reading.invite.card.reply_by', { date: '12月4日(金)' }),
    ].join(tr('ja', 'reading.invite.card.separator'));
    expect(card.text).toBe(tr('ja', 'reading.invite.card.ask', { summary }));
    expect(card.choices.map((c) => c.value)).toEqual([
      'confirm', 'fix:contact_from', 'fix:purpose', 'fix:offer_notified', 'fix:meeting_mode', 'fix:meeting_date',
    ]);
    // Nothing of the mail is kept: only the values read.
    expect(JSON.stringify(fed.session)).not.toMatch(/佐藤|山田|ミナトテック/);

    fed = feed(fed.session, [tap('@invite_confirm', 'confirm')]);
    expect(fed.session?.answers).toMatchObject({
      offer_notified: 'no', contact_from: 'hr', purpose: 'intent', meeting_mode: 'online', meeting_date: '2026-12-11T07:00:00.000Z',
    });
    expect(fed.session?.invite).toBeUndefined();
    expect(ofType(fed.effects, 'meetingSet')).toEqual([{ type: 'meetingSet', at: '2026-12-11T07:00:00.000Z', timeZone: 'Asia/Tokyo' }]);
    // The reply deadline plans a reply reminder before it (three hours from now).
    const reply = fed.session?.reminders?.find((r) => r.kind === 'reply');
    expect(reply?.at).toBe('2026-11-26T04:00:00.000Z');
    expect(fed.session?.reminders?.map((r) => r.kind).sort()).toEqual(['after', 'before', 'eve', 'reply']);
    expectAsked(fed.messages, 'first_choice');

    fed = feed(fed.session, [tap('first_choice', 'yes'), tap('other_status', 'none')]);
    expect(ofType(fed.effects, 'verdictReached')).toEqual([{ type: 'verdictReached', verdict: 'closing_meeting' }]);
    expectAsked(fed.last.messages, 'menu');
    // The meeting's date and mode came from the mail: they are not asked again.
    expect(fed.messages.filter((m) => 'state' in m && (m.state === 'meeting_date' || m.state === 'meeting_mode'))).toEqual([]);
    expect(fed.session?.history).toEqual(['offer_notified', 'contact_from', 'purpose', 'first_choice', 'other_status']);
  });

  it('a corrected part is dropped and asked later', () => {
    let fed = feed(at([]), [MAIL, tap('@invite_confirm', 'fix:contact_from')]);
    expect(texts(fed.last.messages)).toEqual([tr('ja', 'reading.invite.fixed')]);
    const card = lastQuestion(fed.last.messages);
    expect(card.state).toBe('@invite_confirm');
    expect(card.choices.map((c) => c.value)).not.toContain('fix:contact_from');
    fed = feed(fed.session, [tap('@invite_confirm', 'confirm')]);
    expect(fed.session?.answers.contact_from).toBeUndefined();
    expectAsked(fed.messages, 'contact_from');
  });

  it('"はい" typed at the card confirms it', () => {
    const fed = feed(at([]), [MAIL, 'はい、合ってます']);
    expect(fed.session?.answers.purpose).toBe('intent');
    expectAsked(fed.last.messages, 'first_choice');
  });

  it('several proposed times: asks which one was chosen, or not decided yet', () => {
    const mail = '人事部より、オファー面談のご案内です。内定のご連絡をいたします。\n候補日\n・12月7日（月）10:00〜11:00\n・12月8日（火）15:00〜16:00\n場所：本社';
    let fed = feed(at([]), [mail, tap('@invite_confirm', 'confirm')]);
    const question = lastQuestion(fed.last.messages);
    expect(question.state).toBe('@invite_slot');
    expect(question.choices.map((c) => c.label)).toEqual(['12月7日(月) 10:00', '12月8日(火) 15:00', tr('ja', 'reading.invite.undecided')]);
    fed = feed(fed.session, [tap('@invite_slot', question.choices[1]!.value)]);
    expect(ofType(fed.effects, 'meetingSet')).toEqual([{ type: 'meetingSet', at: '2026-12-08T06:00:00.000Z', timeZone: 'Asia/Tokyo' }]);
    // Offer stated and conditions: the purpose is skipped, only first choice and other companies are asked.
    expectAsked(fed.messages, 'first_choice');

    const undecided = feed(at([]), [mail, tap('@invite_confirm', 'confirm'), tap('@invite_slot', 'undecided')]);
    expect(undecided.session?.answers.meeting_date).toBe('not_yet');
    expect(ofType(undecided.effects, 'meetingSet')).toEqual([]);
  });

  it('a weekday that does not match its date is pointed out, and the date is asked', () => {
    const mail = '人事部です。面談のご案内です。\n日時：12月9日（木）14:00〜\n形式：Zoom';
    const fed = feed(at([]), [mail, tap('@invite_confirm', 'confirm')]);
    expect(texts(fed.last.messages)).toContain(tr('ja', 'reading.invite.weekday_mismatch', { when: '12月9日(水) 14:00' }));
    expect(ofType(fed.effects, 'meetingSet')).toEqual([]);
    expect(fed.session?.answers.meeting_date).toBeUndefined();
    expectAsked(fed.last.messages, 'first_choice');
  });

  it('as the first message: acknowledged by reading it', () => {
    const fed = feed(undefined, [MAIL]);
    expect(texts(fed.messages)).toEqual([tr('ja', 'system.welcome')]);
    expect(lastQuestion(fed.messages).state).toBe('@invite_confirm');
  });

  it('a pasted rejection is not an invitation: said kindly, and the question again', () => {
    const rejection = '田中様\n先日は最終面接にお越しいただき、誠にありがとうございました。\n誠に残念ながら、今回は採用を見送らせていただくこととなりました。\n今後のご活躍をお祈り申し上げます。';
    const fed = feed(at(TO_CONTACT), [rejection]);
    expect(texts(fed.messages)).toEqual([tr('ja', 'reading.invite.notice')]);
    expectAsked(fed.messages, 'contact_from');
  });

  it('back from the card returns to the question the user was at', () => {
    const fed = feed(at(TO_CONTACT), [MAIL, '戻る']);
    expectAsked(fed.last.messages, 'contact_from');
  });
});
