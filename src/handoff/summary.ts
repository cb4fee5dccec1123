/**
 * The diagnosis so far in words, for the staff who take over: each answer with a short
 * name for its question, the verdict, and what the user last typed. Pure; written in the
 * staff's language and the agency's time zone.
 */
import type { Content } from '../conversation/content.ts';
import { formatMeetingTime } from '../conversation/dates.ts';
import { translate } from '../conversation/i18n.ts';
import type { Locale, Verdict } from '../conversation/types.ts';

export interface HandoffSummary {
  answers: { question: string; answer: string }[];
  /** The verdict's title, when the diagnosis reached one. */
  verdict?: string;
  /** The user's last typed messages before asking, oldest first. */
  recent: string[];
}

export interface SummaryInput {
  answers: Readonly<Record<string, string>>;
  verdict?: Verdict;
  recent?: readonly string[];
}

export function summarize(content: Content, input: SummaryInput, staff: { locale: Locale; timeZone: string }): HandoffSummary {
  const t = (key: string) => translate(content.catalog, staff.locale, key);
  const has = (key: string) => content.catalog[staff.locale].has(key);
  const answers: HandoffSummary['answers'] = [];
  for (const [id, state] of Object.entries(content.flow.states)) {
    const value = input.answers[id];
    if (state.type === 'result' || value === undefined) continue;
    const shortName = `handoff.staff.question.${id}`;
    const question = has(shortName) ? t(shortName) : t(state.prompt);
    const choice = state.choices.find((c) => c.value === value);
    const answer = choice
      ? t(choice.label)
      : state.type === 'datetime' && !Number.isNaN(Date.parse(value))
        ? formatMeetingTime(new Date(value), staff.locale, staff.timeZone)
        : value;
    answers.push({ question, answer });
  }
  return {
    answers,
    ...(input.verdict ? { verdict: t(`verdict.${input.verdict}.title`) } : {}),
    recent: [...(input.recent ?? [])],
  };
}

/** The summary as plain lines (Slack fallback text, logs for staff). */
export function summaryLines(summary: HandoffSummary, t: (key: string, vars?: Record<string, string>) => string): string[] {
  return [
    ...(summary.answers.length ? summary.answers.map((a) => `${a.question}: ${a.answer}`) : [t('handoff.staff.no_answers')]),
    summary.verdict ? t('handoff.staff.verdict', { verdict: summary.verdict }) : t('handoff.staff.no_verdict'),
  ];
}
