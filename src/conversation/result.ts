/** The diagnosis card: verdict headline, reasons quoting the user's answers, advice, the meeting. */
import { meetingAt } from './conditions.ts';
import { formatMeetingTime } from './dates.ts';
import { diagnose, headlineKeys } from './diagnosis.ts';
import type { Vars } from './i18n.ts';
import { raise, t, type Turn } from './turn.ts';
import type { CardSection } from './types.ts';

/** Labels (or a formatted date) of the user's answers, to quote them in reasons. */
function answerLabels(turn: Turn): Vars {
  const { flow } = turn.ctx.content;
  const vars: Vars = {};
  for (const [question, value] of Object.entries(turn.s.answers)) {
    const state = flow.states[question];
    if (!state || state.type === 'result') continue;
    const choice = state.choices.find((c) => c.value === value);
    if (choice) vars[question] = t(turn, choice.label);
    else if (state.type === 'datetime') vars[question] = formatMeetingTime(new Date(value), turn.s.locale, turn.s.timeZone);
  }
  return vars;
}

/** Diagnoses the answers, keeps the verdict in the session and shows the card. */
export function emitResult(turn: Turn, options: { announce: boolean } = { announce: true }): void {
  const { flow } = turn.ctx.content;
  const result = diagnose(flow, turn.s.answers);
  turn.s.verdict = result.verdict;
  if (options.announce) raise(turn, { type: 'verdictReached', verdict: result.verdict });
  const vars = answerLabels(turn);
  const section = (heading: string, keys: string[]): CardSection[] =>
    keys.length ? [{ heading: t(turn, heading), lines: keys.map((k) => t(turn, k, vars)) }] : [];
  const at = meetingAt(turn.ctx.content.flow, turn.s.answers);
  const meeting: CardSection = {
    heading: t(turn, 'result.meeting'),
    lines: at
      ? [t(turn, 'result.meeting_at', { when: formatMeetingTime(at, turn.s.locale, turn.s.timeZone) })]
      : [t(turn, 'result.meeting_not_set')],
  };
  const headline = headlineKeys(result);
  const title = t(turn, headline.title);
  const summary = `${t(turn, headline.likelihood)}\n${t(turn, headline.summary)}`;
  const sections = [
    ...section('result.reasons', result.reasons),
    ...section('result.asked', result.advice.asked),
    ...section('result.answer', result.advice.answer),
    ...section('result.cautions', result.advice.cautions),
    ...section('result.checklist', result.advice.checklist),
    meeting,
  ];
  const altText = [title, summary, ...sections.flatMap((sec) => [`【${sec.heading}】`, ...sec.lines.map((l) => `・${l}`)])].join(
    '\n',
  );
  turn.messages.push({ kind: 'card', title, summary, sections, altText });
}
