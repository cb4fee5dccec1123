/**
 * Every line of a result card must be true for the answers that led to it. This walks every
 * path through the flow's questions (skipped questions, each meeting_date kind: a date,
 * not_yet, not_replied) through the real engine, in Japanese and in English, reads each
 * rendered card line back to the locale key that produced it, and checks the invariants
 * below. An invariant is one line of data: a name and a check on one rendered card.
 */
import { describe, expect, it } from 'vitest';
import { answerPaths, pathAnswers, type PathStep } from '../src/conversation/answer-paths.ts';
import { DATE_TOKEN, type Answers } from '../src/conversation/conditions.ts';
import { formatMeetingTime } from '../src/conversation/dates.ts';
import { diagnose, headlineKeys, MAX_REASONS, MIN_REASONS } from '../src/conversation/diagnosis.ts';
import { step, type EngineContext } from '../src/conversation/engine.ts';
import { ADVICE_SECTIONS, type Stage } from '../src/conversation/flow-schema.ts';
import { translate, type Vars } from '../src/conversation/i18n.ts';
import { beforeKey, eveningKeys } from '../src/conversation/reminder-texts.ts';
import type { Session } from '../src/conversation/session.ts';
import { LOCALES, type Inbound, type Locale, type Outbound, type Verdict } from '../src/conversation/types.ts';
import { content } from './support/conversation.ts';

const NOW = new Date('2026-11-26T01:00:00Z'); // Thursday 2026-11-26 10:00 in Tokyo
const TZ = 'Asia/Tokyo';
/** What the date picker sends for "a date" on a path: a week ahead, so every reminder is planned. */
const PICKED = '2026-12-03T14:00';

// ---------------------------------------------------------------------------- texts tagged by key

/** Lines that say an offer has been made. */
const SAYS_OFFERED = [
  'verdict.offer_meeting.after_offer.likelihood',
  'verdict.offer_meeting.after_offer.summary',
  'reason.offer_notified',
  'reason.contact_after_offer',
  'advice.asked.decision_timing',
  'advice.answer.first_choice_yes_after',
  'advice.answer.first_choice_not_yet_sure_after',
  'advice.answer.negotiate_here',
  'advice.cautions.after_offer',
];
/** Lines that are only true while no offer has been stated (selection still going on). */
const PRE_OFFER = [
  'reason.offer_not_yet',
  'reason.offer_unsure',
  'advice.answer.confirm_offer',
  'advice.answer.first_choice_yes', // "内定をいただけたら入社します"
  'advice.answer.first_choice_no',
  'advice.answer.first_choice_undecided',
  'advice.asked.preference',
  'advice.asked.motivation_check',
  'advice.cautions.attitude',
  'advice.cautions.recruiter_reports', // "used in the final decision"
  'advice.cautions.recruiter_after_rejection',
];
const NEGOTIATION = ['advice.answer.negotiate_here'];
/** Lines that promise a good outcome: never on a card whose chance may be low. */
const OFFER_LIKELY = ['reason.contact_recruiter', 'reason.contact_company', 'reason.purpose_none', 'reason.purpose_intent'];
const IN_PERSON_ONLY = ['advice.cautions.reception'];
const RECRUITER_CAVEAT = 'advice.cautions.recruiter_after_rejection';
/** A rendered line no key explains. */
const UNKNOWN = '(no key)';

/** Where keys cannot say it: words that must not appear, per locale. */
const OFFERED_WORDS: Record<Locale, RegExp> = { ja: /すでに伝えられ|内定のあとの面談は選考ではなく|取り消し/, en: /already been told|no longer selection|Revoking/ };
const PRE_OFFER_WORDS: Record<Locale, RegExp> = { ja: /内定をいただけたら|内定が出るまで|はっきり伝えられるまで/, en: /If you offer me|Until an offer|until the offer|Until the offer/ };
const NEGOTIATION_WORDS: Record<Locale, RegExp> = { ja: /交渉|相談をするなら/, en: /negotiat|discuss salary/i };
const REJECTION_WORDS: Record<Locale, RegExp> = { ja: /お見送り/, en: /after a rejection/ };

// ---------------------------------------------------------------------------- one rendered card

interface Card {
  locale: Locale;
  answers: Answers;
  verdict: Verdict;
  stage: Stage;
  /** The locale key of every line, headline included, read back from the rendered text. */
  keys: string[];
  reasonKeys: string[];
  reasons: string[];
  /** Every rendered text of the card: title, summary and section lines. */
  text: string[];
  /** The labels the user chose, in the card's language. */
  labels: string[];
}

const has = (c: Card, keys: string[]) => c.keys.some((k) => keys.includes(k));
const offered = (c: Card) => c.answers.offer_notified === 'yes';
const matches = (c: Card, words: Record<Locale, RegExp>) => c.text.some((t) => words[c.locale].test(t));

// ---------------------------------------------------------------------------- the invariants

const INVARIANTS: [string, (c: Card) => boolean][] = [
  ['no "already offered" line unless offer_notified=yes', (c) => offered(c) || !has(c, SAYS_OFFERED)],
  ['no "already offered" wording unless offer_notified=yes', (c) => offered(c) || !matches(c, OFFERED_WORDS)],
  ['no pre-offer line after an offer', (c) => !offered(c) || !has(c, PRE_OFFER)],
  ['no pre-offer wording after an offer', (c) => !offered(c) || !matches(c, PRE_OFFER_WORDS)],
  ['no negotiation advice before an offer', (c) => offered(c) || !has(c, NEGOTIATION)],
  ['no negotiation wording before an offer', (c) => offered(c) || !matches(c, NEGOTIATION_WORDS)],
  ['a conditions purpose without an offer gets its own stage', (c) => offered(c) || c.answers.purpose !== 'conditions' || c.stage === 'conditions_before_offer'],
  ['a recruiter card before an offer carries the rejection caveat', (c) => c.answers.contact_from !== 'recruiter' || c.stage !== 'before_offer' || c.keys.includes(RECRUITER_CAVEAT)],
  ['the rejection caveat reads as one', (c) => !c.keys.includes(RECRUITER_CAVEAT) || matches(c, REJECTION_WORDS)],
  ['no offer-is-likely reason on a status or feedback card', (c) => c.verdict !== 'feedback_or_status' || !has(c, OFFER_LIKELY)],
  ['a status or feedback card prepares for both outcomes', (c) => c.verdict !== 'feedback_or_status' || c.keys.includes('advice.cautions.both_outcomes')],
  ['no in-person-only line unless the meeting is in person', (c) => c.answers.meeting_mode === 'in_person' || !has(c, IN_PERSON_ONLY)],
  ['not replied yet: the card says to reply', (c) => c.answers.meeting_date !== 'not_replied' || c.keys.includes('advice.cautions.reply_fast')],
  ['the reasons section holds reasons only', (c) => c.reasonKeys.every((k) => k.startsWith('reason.'))],
  [`${MIN_REASONS} to ${MAX_REASONS} reasons`, (c) => c.reasons.length >= MIN_REASONS && c.reasons.length <= MAX_REASONS],
  ["every reason quotes one of the user's answers", (c) => c.reasons.every((r) => c.labels.some((l) => r.includes(l)))],
  ['no reason repeats its quote\'s words ("内定の連絡は「内定の連絡…」", "「…経由」から")', (c) => c.reasons.every((r) => !/(.{4,})「\1|経由」から/.test(r))],
  ['no placeholder left unfilled', (c) => c.text.every((t) => !/\{[a-z_]+\}/.test(t))],
  ['every line comes from a key', (c) => !c.keys.includes(UNKNOWN)],
];

// ---------------------------------------------------------------------------- walking a path

function ctx(locale: Locale): EngineContext {
  return { content: content(), now: NOW, maxDaysAhead: 180, defaults: { locale, timeZone: TZ } };
}

/** The input a user sends for one answer: a button tap, or the date picker. */
function input(s: PathStep): Inbound {
  if (s.value === DATE_TOKEN) return { kind: 'datetime', iso: PICKED, state: s.question };
  return { kind: 'choice', value: s.value, state: s.question };
}

/** Feeds a path to the real engine, from the greeting on, as taps and a picked date. */
function walk(path: PathStep[], locale: Locale): { session: Session; messages: Outbound[] } {
  const c = ctx(locale);
  let session = step(c, undefined, { kind: 'start' }).session!;
  const messages: Outbound[] = [];
  for (const s of path) {
    const result = step(c, session, input(s));
    if (result.session) session = result.session;
    messages.push(...result.messages);
  }
  return { session, messages };
}

function render(path: PathStep[], locale: Locale): { card: Card; session: Session } {
  const { catalog, flow } = content();
  const { session, messages } = walk(path, locale);
  const cards = messages.filter((m): m is Extract<Outbound, { kind: 'card' }> => m.kind === 'card');
  if (cards.length !== 1) throw new Error(`${cards.length} cards for ${JSON.stringify(path)}`);
  const rendered = cards[0]!;
  const answers = pathAnswers(path);
  const vars: Vars = {};
  for (const s of path) {
    const state = flow.states[s.question];
    const choice = state && state.type !== 'result' ? state.choices.find((ch) => ch.value === s.value) : undefined;
    vars[s.question] = choice
      ? translate(catalog, locale, choice.label)
      : formatMeetingTime(new Date(session.answers[s.question]!), locale, TZ);
  }
  // Read each line back to its key: every key a card could show, rendered with these answers.
  const d = diagnose(flow, answers);
  const candidates = [
    ...flow.diagnosis.reasons,
    ...ADVICE_SECTIONS.flatMap((sec) => flow.diagnosis.advice[sec]),
  ].map((item) => item.text);
  const byText = new Map(candidates.map((k) => [translate(catalog, locale, k, vars), k]));
  const keyOf = (line: string) => byText.get(line) ?? UNKNOWN;
  const headline = headlineKeys(d);
  const [likelihood, summary] = rendered.summary.split('\n');
  const headKeys = [
    rendered.title === translate(catalog, locale, headline.title) ? headline.title : UNKNOWN,
    likelihood === translate(catalog, locale, headline.likelihood) ? headline.likelihood : UNKNOWN,
    summary === translate(catalog, locale, headline.summary) ? headline.summary : UNKNOWN,
  ];
  const t = (key: string) => translate(catalog, locale, key);
  const meetingHeading = t('result.meeting');
  const sections = rendered.sections.filter((sec) => sec.heading !== meetingHeading);
  const reasons = sections.find((sec) => sec.heading === t('result.reasons'))?.lines ?? [];
  const card: Card = {
    locale,
    answers,
    verdict: d.verdict,
    stage: d.stage,
    keys: [...headKeys, ...sections.flatMap((sec) => sec.lines.map(keyOf))],
    reasonKeys: reasons.map(keyOf),
    reasons,
    text: [rendered.title, rendered.summary, ...sections.flatMap((sec) => sec.lines)],
    labels: Object.values(vars).map(String),
  };
  return { card, session };
}

// ---------------------------------------------------------------------------- the walk

const { flow } = content();
const PATHS = answerPaths(flow);

describe('every path through the flow', () => {
  it('covers every answer of every question, skipped questions and each kind of meeting date', () => {
    for (const [id, state] of Object.entries(flow.states)) {
      if (state.type === 'result' || id === 'menu') continue;
      const seen = new Set(PATHS.flatMap((p) => p.filter((s) => s.question === id).map((s) => s.value)));
      const expected = state.choices.filter((c) => !c.action || c.action === 'replyPending').map((c) => c.value);
      if (state.type === 'datetime') expected.push(DATE_TOKEN);
      expect([...seen].sort(), id).toEqual(expected.sort());
    }
    // purpose is asked exactly when no offer was notified
    for (const path of PATHS) {
      const a = pathAnswers(path);
      expect(a.purpose === undefined, JSON.stringify(a)).toBe(a.offer_notified === 'yes');
    }
    expect(new Set(PATHS.map((p) => pathAnswers(p).meeting_date))).toEqual(new Set([DATE_TOKEN, 'not_yet', 'not_replied']));
  });

  it('every card keeps every invariant, in Japanese and English, and both carry the same keys', () => {
    const broken = new Map<string, string[]>(); // invariant -> a few example answer sets
    const note = (what: string, card: Card) => {
      const list = broken.get(what) ?? [];
      if (list.length < 3) list.push(`${card.locale} ${JSON.stringify(card.answers)} -> ${card.keys.join(', ')}`);
      broken.set(what, list);
    };
    for (const path of PATHS) {
      const cards = LOCALES.map((locale) => render(path, locale).card);
      for (const card of cards) for (const [name, holds] of INVARIANTS) if (!holds(card)) note(name, card);
      const [ja, en] = cards;
      if (ja!.keys.join() !== en!.keys.join()) note('ja and en cards carry the same keys', en!);
    }
    expect(Object.fromEntries(broken)).toEqual({});
  }, 120_000);

  it('a user can reach five kinds of card: each verdict, and an offer meeting before and after the offer', () => {
    const seen = new Set(PATHS.map((p) => { const d = diagnose(flow, pathAnswers(p)); return `${d.verdict}/${d.stage}`; }));
    expect([...seen].sort()).toEqual([
      'closing_meeting/before_offer',
      'feedback_or_status/before_offer',
      'offer_meeting/after_offer',
      'offer_meeting/conditions_before_offer',
      'recruiter_meeting/before_offer',
    ]);
  });
});

describe('the invariants can fail', () => {
  // Hand-built cards that break every invariant, so a check that always passes is caught.
  const before: Card = {
    locale: 'ja',
    answers: { offer_notified: 'no', contact_from: 'recruiter', purpose: 'conditions', meeting_mode: 'unknown', meeting_date: 'not_replied' },
    verdict: 'feedback_or_status',
    stage: 'before_offer',
    keys: ['advice.answer.negotiate_here', 'advice.cautions.reception', 'reason.contact_recruiter', UNKNOWN],
    reasonKeys: [],
    reasons: ['内定の連絡は「内定の連絡はもう来た」とのこと', '面談の連絡は「エージェント経由」から'],
    text: ['{purpose}', '内定はすでに伝えられています', '交渉は一度で'],
    labels: ['まだ来ていない'],
  };
  const after: Card = { ...before, answers: { offer_notified: 'yes' }, keys: ['advice.answer.first_choice_yes', RECRUITER_CAVEAT], reasonKeys: ['advice.cautions.attitude'], reasons: ['理由'], text: ['内定をいただけたら入社します'] };
  it.each(INVARIANTS)('%s', (name, holds) => {
    expect([before, after].some((card) => !holds(card)), name).toBe(true);
  });
});

describe('reminders fit the answers too', () => {
  const eve = (a: Answers) => eveningKeys(flow, a);

  it('the evening before a status or feedback meeting prepares for both outcomes; other verdicts do not', () => {
    for (const path of PATHS) {
      const a = pathAnswers(path);
      const { verdict } = diagnose(flow, a);
      expect(eve(a).includes('reminder.eve.both_outcomes'), JSON.stringify(a)).toBe(verdict === 'feedback_or_status');
    }
  });

  it('meeting mode unknown gets no in-person-only reminder text', () => {
    for (const path of PATHS.filter((p) => pathAnswers(p).meeting_mode !== 'in_person')) {
      const a = pathAnswers(path);
      expect(eve(a)).not.toContain('reminder.eve.route');
      expect(beforeKey(a)).not.toBe('reminder.before.in_person');
    }
    expect(beforeKey({ meeting_mode: 'unknown' })).toBe('reminder.before.mode_unknown');
    expect(eve({ meeting_mode: 'unknown', offer_notified: 'no', contact_from: 'hr', purpose: 'none' })).toContain('reminder.eve.mode_unknown');
  });

  it('the fired evening reminder shows those texts (feedback meeting, mode unknown)', () => {
    const path = PATHS.find((p) => {
      const a = pathAnswers(p);
      return a.purpose === 'status_feedback' && a.meeting_date === DATE_TOKEN && a.meeting_mode === 'unknown';
    })!;
    const { session } = render(path, 'ja');
    const reminder = session.reminders?.find((r) => r.kind === 'eve');
    expect(reminder).toBeDefined();
    const c = ctx('ja');
    const fired = step(c, session, { kind: 'reminder', reminder: reminder! });
    const card = fired.messages.find((m) => m.kind === 'card');
    const lines = card?.kind === 'card' ? card.sections.flatMap((s) => s.lines) : [];
    const tr = (k: string) => translate(content().catalog, 'ja', k);
    expect(lines).toContain(tr('reminder.eve.both_outcomes'));
    expect(lines).toContain(tr('reminder.eve.mode_unknown'));
    expect(lines).not.toContain(tr('reminder.eve.route'));
  });
});
