/**
 * The diagnosis as the user meets it: answer paths (buttons, numbers, typed labels and
 * synonyms in both languages) -> verdict, and what the result card says.
 * Expected texts are looked up in the real locale catalogs, so wording changes do not
 * break these tests but a wrong key, a wrong rule or a missing quote does.
 */
import { describe, expect, it } from 'vitest';
import { diagnose, headlineKeys } from '../src/conversation/diagnosis.ts';
import { step, type EngineContext } from '../src/conversation/engine.ts';
import { translate, type Vars } from '../src/conversation/i18n.ts';
import type { Session } from '../src/conversation/session.ts';
import type { CardSection, Inbound, Locale, Outbound, SideEffect, Verdict } from '../src/conversation/types.ts';
import { content } from './support/conversation.ts';

// ---------------------------------------------------------------------------- helpers

const NOW = new Date('2026-11-26T01:00:00Z'); // Thursday 2026-11-26 10:00 in Tokyo

function ctx(): EngineContext {
  return { content: content(), now: NOW, maxDaysAhead: 180, defaults: { locale: 'ja', timeZone: 'Asia/Tokyo' } };
}

/** A string is typed text; anything else is sent as is. */
type Input = Inbound | string;

interface Run {
  session: Session | null;
  messages: Outbound[];
  effects: SideEffect[];
}

/** Starts a conversation (welcome + first question), then feeds the inputs one step at a time. */
function converse(inputs: Input[]): Run {
  const c = ctx();
  let session: Session | null = step(c, undefined, { kind: 'start' }).session ?? null;
  const messages: Outbound[] = [];
  const effects: SideEffect[] = [];
  for (const input of inputs) {
    const result = step(c, session ?? undefined, typeof input === 'string' ? { kind: 'text', text: input } : input);
    // undefined: the step had nothing to save.
    if (result.session !== undefined) session = result.session;
    messages.push(...result.messages);
    effects.push(...result.effects);
  }
  return { session, messages, effects };
}

/** A button tap on the question `state`. */
function tap(state: string, value: string): Inbound {
  return { kind: 'choice', value, state };
}

function tr(locale: Locale, key: string, vars?: Vars): string {
  return translate(content().catalog, locale, key, vars);
}

/** The localized label of a choice of the real flow. */
function label(locale: Locale, question: string, value: string): string {
  const state = content().flow.states[question];
  if (!state || state.type === 'result') throw new Error(`${question} is not a question`);
  const choice = state.choices.find((c) => c.value === value);
  if (!choice) throw new Error(`${question} has no choice ${value}`);
  return tr(locale, choice.label);
}

type Card = Extract<Outbound, { kind: 'card' }>;

function resultCard(run: Run): Card {
  const cards = run.messages.filter((m): m is Card => m.kind === 'card');
  expect(cards, 'exactly one result card').toHaveLength(1);
  return cards[0]!;
}

function section(card: Card, locale: Locale, headingKey: string): CardSection | undefined {
  return card.sections.find((s) => s.heading === tr(locale, headingKey));
}

function lines(card: Card, locale: Locale, headingKey: string): string[] {
  return section(card, locale, headingKey)?.lines ?? [];
}

/** Answers, by button, every question in flow order; `purpose` only when it is asked. */
interface Answers {
  offer_notified: string;
  contact_from: string;
  purpose?: string;
  first_choice: string;
  other_status: string;
  /** A choice value, or text typed as the date. */
  meeting_date: string;
  meeting_mode: string;
}

function byButtons(a: Answers, prefix: Input[] = []): Run {
  const inputs: Input[] = [...prefix, tap('offer_notified', a.offer_notified), tap('contact_from', a.contact_from)];
  if (a.purpose !== undefined) inputs.push(tap('purpose', a.purpose));
  inputs.push(tap('first_choice', a.first_choice), tap('other_status', a.other_status));
  const dateChoice = ['not_yet', 'not_replied'].includes(a.meeting_date);
  inputs.push(dateChoice ? tap('meeting_date', a.meeting_date) : a.meeting_date, tap('meeting_mode', a.meeting_mode));
  return converse(inputs);
}

const CLOSING: Answers = {
  offer_notified: 'no',
  contact_from: 'hr',
  purpose: 'intent',
  first_choice: 'yes',
  other_status: 'in_selection',
  meeting_date: 'not_yet',
  meeting_mode: 'in_person',
};
const OFFER: Answers = { ...CLOSING, offer_notified: 'yes', purpose: undefined };
const RECRUITER: Answers = { ...CLOSING, contact_from: 'recruiter' };
const FEEDBACK: Answers = { ...CLOSING, purpose: 'status_feedback' };

// ---------------------------------------------------------------------------- verdict table

const PATHS: { name: string; inputs: Input[]; verdict: Verdict; locale?: Locale }[] = [
  // offer_meeting
  {
    name: 'buttons: offer already notified (purpose skipped)',
    inputs: [
      tap('offer_notified', 'yes'),
      tap('contact_from', 'hr'),
      tap('first_choice', 'yes'),
      tap('other_status', 'none'),
      tap('meeting_date', 'not_yet'),
      tap('meeting_mode', 'online'),
    ],
    verdict: 'offer_meeting',
  },
  {
    name: 'typed Japanese synonyms: no offer yet but purpose is the offer letter',
    inputs: ['まだ', '配属先', '内定通知書', '第一志望', '他社内定', '12/3 14:00', '対面'],
    verdict: 'offer_meeting',
  },
  {
    name: 'typed English labels in a Japanese session: unsure + conditions',
    inputs: [
      "It's not clear",
      'An agency',
      'Explaining conditions or the offer letter',
      'Still deciding',
      'In selection elsewhere',
      'Not fixed yet',
      "Don't know yet",
    ],
    verdict: 'offer_meeting',
  },
  // closing_meeting
  {
    name: 'numbers: no offer, HR, intent check',
    inputs: ['2', '1', '2', '1', '2', '1', '1'],
    verdict: 'closing_meeting',
  },
  {
    name: 'typed Japanese synonyms: unsure, executive, no purpose given',
    inputs: ['わからない', '役員', '特になし', '迷っている', 'なし', '未定', 'オンライン'],
    verdict: 'closing_meeting',
  },
  {
    name: 'typed Japanese labels (full-width digits in the date): department, other companies',
    inputs: ['まだ来ていない', '配属予定の部署の人', '他社の選考状況の確認', '第一志望ではない', '他社の内定がある', '１２月３日　１４時', '対面'],
    verdict: 'closing_meeting',
  },
  // recruiter_meeting
  {
    name: 'buttons: recruiter, intent check, not replied yet',
    inputs: [
      tap('offer_notified', 'no'),
      tap('contact_from', 'recruiter'),
      tap('purpose', 'intent'),
      tap('first_choice', 'yes'),
      tap('other_status', 'none'),
      tap('meeting_date', 'not_replied'),
      tap('meeting_mode', 'in_person'),
    ],
    verdict: 'recruiter_meeting',
  },
  {
    name: 'typed English synonyms after switching to English',
    inputs: ['English', 'not yet', 'A recruiter (young employee)', 'preference', 'n', 'no', 'not decided', 'zoom'],
    verdict: 'recruiter_meeting',
    locale: 'en',
  },
  {
    name: 'typed Japanese synonyms: recruiter, no purpose given',
    inputs: ['いいえ', 'リクルーター', 'なし', 'はい', '受けていない', '明日 15時', 'リモート'],
    verdict: 'recruiter_meeting',
  },
  // feedback_or_status
  {
    name: 'typed Japanese: feedback beats recruiter',
    inputs: ['いいえ', 'リクルーター', 'フィードバック', 'はい', '他社も選考中', '明日 15時', 'オンライン'],
    verdict: 'feedback_or_status',
  },
  {
    name: 'numbers and English synonyms: status sharing from HR',
    inputs: ['3', 'human resources', 'status', 'not sure', 'no', '2026-12-03T14:00', 'in person'],
    verdict: 'feedback_or_status',
  },
  {
    name: 'buttons: status/feedback from an executive',
    inputs: [
      tap('offer_notified', 'unsure'),
      tap('contact_from', 'executive'),
      tap('purpose', 'status_feedback'),
      tap('first_choice', 'undecided'),
      tap('other_status', 'offer_elsewhere'),
      { kind: 'datetime', iso: '2026-12-10T10:30', state: 'meeting_date' },
      tap('meeting_mode', 'unknown'),
    ],
    verdict: 'feedback_or_status',
  },
];

describe('answer paths -> verdict', () => {
  it('covers every verdict with at least two paths', () => {
    for (const verdict of ['offer_meeting', 'closing_meeting', 'recruiter_meeting', 'feedback_or_status'] as const) {
      expect(PATHS.filter((p) => p.verdict === verdict).length, verdict).toBeGreaterThanOrEqual(2);
    }
  });

  it.each(PATHS)('$name -> $verdict', ({ inputs, verdict, locale = 'ja' }) => {
    const run = converse(inputs);
    // Every input was understood: no "answer with one of these", no stale-button notice on the way.
    const complaints = ['system.stale_button', 'system.date.invalid'].map((k) => tr(locale, k));
    const [before = '', after = ''] = tr(locale, 'reading.expected.choice', { choices: '\u0000' }).split('\u0000');
    const isExpectedLine = (t: string) => t.startsWith(before) && t.endsWith(after);
    const texts = run.messages.flatMap((m) => (m.kind === 'text' ? [m.text] : []));
    expect(texts.filter((t) => complaints.includes(t) || isExpectedLine(t))).toEqual([]);

    expect(run.session?.verdict).toBe(verdict);
    expect(run.session?.state).toBe('menu');
    expect(run.effects).toContainEqual({ type: 'verdictReached', verdict });
    const card = resultCard(run);
    const headline = headlineKeys(diagnose(content().flow, run.session!.answers));
    expect(headline.title).toBe(`verdict.${verdict}.title`);
    expect(card.title).toBe(tr(locale, headline.title));
    expect(card.summary).toContain(tr(locale, headline.likelihood));
    expect(card.summary).toContain(tr(locale, headline.summary));
    const reasons = lines(card, locale, 'result.reasons');
    expect(reasons.length).toBeGreaterThanOrEqual(2);
    expect(reasons.length).toBeLessThanOrEqual(4);
    // No placeholder left unfilled anywhere on the card.
    expect(card.altText).not.toMatch(/\{[a-z_]+\}/);
    // The menu follows the card.
    const last = run.messages.at(-1);
    expect(last?.kind === 'choices' && last.state).toBe('menu');
  });
});

describe('diagnose(): rule order on raw answers', () => {
  const { flow } = content();
  it.each<[Record<string, string>, Verdict]>([
    [{ offer_notified: 'yes', contact_from: 'recruiter' }, 'offer_meeting'],
    [{ offer_notified: 'no', contact_from: 'recruiter', purpose: 'conditions' }, 'offer_meeting'],
    [{ offer_notified: 'unsure', contact_from: 'hr', purpose: 'conditions' }, 'offer_meeting'],
    [{ offer_notified: 'no', contact_from: 'recruiter', purpose: 'status_feedback' }, 'feedback_or_status'],
    [{ offer_notified: 'no', contact_from: 'hr', purpose: 'status_feedback' }, 'feedback_or_status'],
    [{ offer_notified: 'unsure', contact_from: 'recruiter', purpose: 'intent' }, 'recruiter_meeting'],
    [{ offer_notified: 'no', contact_from: 'recruiter', purpose: 'none' }, 'recruiter_meeting'],
    [{ offer_notified: 'no', contact_from: 'executive', purpose: 'none' }, 'closing_meeting'],
    [{ offer_notified: 'unsure', contact_from: 'agency', purpose: 'other_companies' }, 'closing_meeting'],
    [{ offer_notified: 'no', contact_from: 'department', purpose: 'intent' }, 'closing_meeting'],
  ])('%j -> %s', (answers, verdict) => {
    expect(diagnose(flow, answers).verdict).toBe(verdict);
  });

  it("lists the reasons in the flow's order, the most telling first", () => {
    const { reasons } = diagnose(flow, { offer_notified: 'unsure', contact_from: 'recruiter', purpose: 'intent' });
    expect(reasons).toEqual(['reason.contact_recruiter', 'reason.purpose_intent', 'reason.offer_unsure']);
  });

  it.each<[Record<string, string>, string]>([
    [{ offer_notified: 'yes', contact_from: 'hr' }, 'after_offer'],
    [{ offer_notified: 'no', contact_from: 'hr', purpose: 'conditions' }, 'conditions_before_offer'],
    [{ offer_notified: 'unsure', contact_from: 'recruiter', purpose: 'conditions' }, 'conditions_before_offer'],
    [{ offer_notified: 'no', contact_from: 'hr', purpose: 'intent' }, 'before_offer'],
    [{ offer_notified: 'unsure', contact_from: 'hr', purpose: 'status_feedback' }, 'before_offer'],
  ])('%j is at stage %s', (answers, stage) => {
    expect(diagnose(flow, answers).stage).toBe(stage);
  });

  it('a conditions purpose without a stated offer: an offer meeting that is still selection, no negotiation', () => {
    const d = diagnose(flow, { offer_notified: 'no', contact_from: 'hr', purpose: 'conditions', first_choice: 'yes' });
    expect(d.verdict).toBe('offer_meeting');
    expect(d.reasons).toContain('reason.offer_not_yet');
    expect(d.reasons).not.toContain('reason.offer_notified');
    expect(d.advice.answer).toContain('advice.answer.confirm_offer');
    expect(d.advice.answer).not.toContain('advice.answer.negotiate_here');
    expect(d.advice.cautions).not.toContain('advice.cautions.after_offer');
    expect(headlineKeys(d).likelihood).toBe('verdict.offer_meeting.conditions_before_offer.likelihood');
  });
});

// ---------------------------------------------------------------------------- the card

describe('result card: reasons quote the user', () => {
  it.each(['hr', 'recruiter', 'department', 'executive', 'agency'])(
    'quotes the chosen contact_from label (%s) in a reason line, in Japanese',
    (contact) => {
      const card = resultCard(byButtons({ ...CLOSING, contact_from: contact, purpose: 'none' }));
      const reasons = lines(card, 'ja', 'result.reasons');
      expect(reasons.some((l) => l.includes(label('ja', 'contact_from', contact)))).toBe(true);
    },
  );

  it('quotes the labels in English after a language switch', () => {
    const run = byButtons({ ...CLOSING, contact_from: 'department', purpose: 'other_companies' }, ['English']);
    const reasons = lines(resultCard(run), 'en', 'result.reasons');
    expect(reasons.some((l) => l.includes(label('en', 'contact_from', 'department')))).toBe(true);
    expect(reasons.some((l) => l.includes(label('en', 'purpose', 'other_companies')))).toBe(true);
    expect(reasons.join('\n')).not.toContain(label('ja', 'contact_from', 'department'));
  });

  it('quotes the offer answer and the stated purpose', () => {
    const offer = lines(resultCard(byButtons(OFFER)), 'ja', 'result.reasons');
    expect(offer.some((l) => l.includes(label('ja', 'offer_notified', 'yes')))).toBe(true);
    const feedback = lines(resultCard(byButtons(FEEDBACK)), 'ja', 'result.reasons');
    expect(feedback.some((l) => l.includes(label('ja', 'purpose', 'status_feedback')))).toBe(true);
  });
});

describe('result card: how to answer is tailored', () => {
  const FIRST = { yes: 'first_choice_yes', no: 'first_choice_no', undecided: 'first_choice_undecided' } as const;
  it.each(Object.keys(FIRST))('first choice "%s" gives its own line and not the others', (value) => {
    const answer = lines(resultCard(byButtons({ ...CLOSING, first_choice: value })), 'ja', 'result.answer');
    for (const [otherValue, otherKey] of Object.entries(FIRST)) {
      const text = tr('ja', `advice.answer.${otherKey}`);
      if (otherValue === value) expect(answer).toContain(text);
      else expect(answer).not.toContain(text);
    }
  });

  const OTHERS = { offer_elsewhere: 'offer_elsewhere', in_selection: 'in_selection', none: 'no_others' } as const;
  it.each(Object.keys(OTHERS))('other companies "%s" gives its own line and not the others', (value) => {
    const answer = lines(resultCard(byButtons({ ...CLOSING, other_status: value })), 'ja', 'result.answer');
    for (const [otherValue, otherKey] of Object.entries(OTHERS)) {
      const text = tr('ja', `advice.answer.${otherKey}`);
      if (otherValue === value) expect(answer).toContain(text);
      else expect(answer).not.toContain(text);
    }
  });

  it('the three first-choice cards really differ', () => {
    const cards = ['yes', 'no', 'undecided'].map((v) =>
      lines(resultCard(byButtons({ ...CLOSING, first_choice: v })), 'ja', 'result.answer').join('\n'),
    );
    expect(new Set(cards).size).toBe(3);
  });

  it('verdict-specific answer advice: negotiate (offer), ask the purpose (feedback), use the hints (recruiter)', () => {
    expect(lines(resultCard(byButtons(OFFER)), 'ja', 'result.answer')).toContain(tr('ja', 'advice.answer.negotiate_here'));
    expect(lines(resultCard(byButtons(FEEDBACK)), 'ja', 'result.answer')).toContain(tr('ja', 'advice.answer.ask_purpose'));
    expect(lines(resultCard(byButtons(RECRUITER)), 'ja', 'result.answer')).toContain(
      tr('ja', 'advice.answer.recruiter_hints'),
    );
    expect(lines(resultCard(byButtons(CLOSING)), 'ja', 'result.answer')).not.toContain(
      tr('ja', 'advice.answer.negotiate_here'),
    );
  });
});

describe('result card: checklist only for offer meetings', () => {
  const CHECKLIST = [
    'offer_letter',
    'conditions',
    'department',
    'duties',
    'systems_benefits',
    'salary',
    'start_date',
    'meet_seniors',
  ];

  it('offer_meeting lists the 8 things to confirm', () => {
    const card = resultCard(byButtons(OFFER));
    expect(lines(card, 'ja', 'result.checklist')).toEqual(CHECKLIST.map((k) => tr('ja', `advice.checklist.${k}`)));
  });

  it('offer_meeting reached through the stated purpose has the checklist too, in English', () => {
    const card = resultCard(byButtons({ ...CLOSING, purpose: 'conditions' }, ['English']));
    expect(lines(card, 'en', 'result.checklist')).toHaveLength(8);
  });

  it.each([
    ['closing_meeting', CLOSING],
    ['recruiter_meeting', RECRUITER],
    ['feedback_or_status', FEEDBACK],
  ] as const)('%s has no checklist section', (verdict, answers) => {
    const run = byButtons(answers);
    expect(run.session?.verdict).toBe(verdict);
    const card = resultCard(run);
    expect(section(card, 'ja', 'result.checklist')).toBeUndefined();
    const all = card.sections.flatMap((s) => s.lines);
    expect(all).not.toContain(tr('ja', 'advice.checklist.offer_letter'));
  });
});

describe('result card: cautions', () => {
  const reception = () => tr('ja', 'advice.cautions.reception');
  const everyone = () => tr('ja', 'advice.cautions.everyone');
  const online = () => tr('ja', 'advice.cautions.online_setup');
  const unknown = () => tr('ja', 'advice.cautions.mode_unknown');

  it('in person: be polite at reception, no online setup', () => {
    const cautions = lines(resultCard(byButtons({ ...CLOSING, meeting_mode: 'in_person' })), 'ja', 'result.cautions');
    expect(cautions).toContain(reception());
    expect(cautions).not.toContain(online());
  });

  it('online: check the setup, be polite to everyone, no reception caution', () => {
    const cautions = lines(resultCard(byButtons({ ...CLOSING, meeting_mode: 'online' })), 'ja', 'result.cautions');
    expect(cautions).toContain(online());
    expect(cautions).toContain(everyone());
    expect(cautions).not.toContain(reception());
  });

  it('mode unknown: no in-person-only caution, a line for either mode', () => {
    const cautions = lines(resultCard(byButtons({ ...CLOSING, meeting_mode: 'unknown' })), 'ja', 'result.cautions');
    expect(cautions).not.toContain(reception());
    expect(cautions).not.toContain(online());
    expect(cautions).toContain(everyone());
    expect(cautions).toContain(unknown());
  });

  it('not replied yet: reply fast is among the cautions', () => {
    const replied = lines(resultCard(byButtons(CLOSING)), 'ja', 'result.cautions');
    const pending = lines(resultCard(byButtons({ ...CLOSING, meeting_date: 'not_replied' })), 'ja', 'result.cautions');
    expect(pending).toContain(tr('ja', 'advice.cautions.reply_fast'));
    expect(replied).not.toContain(tr('ja', 'advice.cautions.reply_fast'));
  });

  it('recruiter meetings warn that everything reaches HR and that a rejection is possible; offer meetings warn to stay sincere after the offer', () => {
    expect(lines(resultCard(byButtons(RECRUITER)), 'ja', 'result.cautions')).toEqual(
      expect.arrayContaining([tr('ja', 'advice.cautions.recruiter_reports'), tr('ja', 'advice.cautions.recruiter_after_rejection')]),
    );
    expect(lines(resultCard(byButtons(OFFER)), 'ja', 'result.cautions')).toContain(tr('ja', 'advice.cautions.after_offer'));
    expect(lines(resultCard(byButtons(CLOSING)), 'ja', 'result.cautions')).not.toContain(
      tr('ja', 'advice.cautions.recruiter_reports'),
    );
  });
});

describe('result card: the meeting section', () => {
  it('shows the formatted date when one was given (Japanese)', () => {
    const card = resultCard(byButtons({ ...CLOSING, meeting_date: '12/3 14:00' }));
    const meeting = lines(card, 'ja', 'result.meeting');
    expect(meeting).toEqual([tr('ja', 'result.meeting_at', { when: '12月3日(木) 14:00' })]);
    expect(meeting[0]).toContain('12月3日(木) 14:00');
  });

  it('shows the formatted date when one was given (English)', () => {
    const card = resultCard(byButtons({ ...CLOSING, meeting_date: '12/3 14:00' }, ['English']));
    expect(lines(card, 'en', 'result.meeting')).toEqual([tr('en', 'result.meeting_at', { when: 'Thu, Dec 3, 14:00' })]);
  });

  it('asks for the date when none was given', () => {
    const card = resultCard(byButtons(CLOSING));
    expect(lines(card, 'ja', 'result.meeting')).toEqual([tr('ja', 'result.meeting_not_set')]);
  });

  it('a date picked with the picker shows up on the card', () => {
    const run = converse([
      tap('offer_notified', 'no'),
      tap('contact_from', 'hr'),
      tap('purpose', 'intent'),
      tap('first_choice', 'yes'),
      tap('other_status', 'none'),
      { kind: 'datetime', iso: '2026-12-10T10:30', state: 'meeting_date' },
      tap('meeting_mode', 'online'),
    ]);
    expect(lines(resultCard(run), 'ja', 'result.meeting')[0]).toContain('12月10日(木) 10:30');
  });
});
