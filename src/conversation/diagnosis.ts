/** Maps answers to a verdict and an offer stage, and picks the reasons and advice that apply (pure data rules). */
import { holds, type Answers } from './conditions.ts';
import { ADVICE_SECTIONS, type Flow, type RuleItem, type Stage } from './flow-schema.ts';
import type { Verdict } from './types.ts';

/** A card explains itself with this many reasons (validation checks every path reaches the minimum). */
export const MIN_REASONS = 2;
export const MAX_REASONS = 4;

export interface Diagnosis {
  verdict: Verdict;
  stage: Stage;
  /** Locale keys, in card order. */
  reasons: string[];
  advice: Record<(typeof ADVICE_SECTIONS)[number], string[]>;
}

/** The locale keys of the card's headline: likelihood and summary depend on the stage too. */
export function headlineKeys(d: Pick<Diagnosis, 'verdict' | 'stage'>): { title: string; likelihood: string; summary: string } {
  return {
    title: `verdict.${d.verdict}.title`,
    likelihood: `verdict.${d.verdict}.${d.stage}.likelihood`,
    summary: `verdict.${d.verdict}.${d.stage}.summary`,
  };
}

function firstMatch<T extends { when?: Parameters<typeof holds>[1] }>(flow: Flow, rules: T[], answers: Answers, what: string): T {
  const rule = rules.find((r) => holds(flow, r.when, answers));
  // Validation guarantees a final rule without `when`; this guards hand-built flows in tests.
  if (!rule) throw new Error(`no ${what} rule matched in flow ${flow.id}`);
  return rule;
}

function applicable(flow: Flow, items: RuleItem[], verdict: Verdict, stage: Stage, answers: Answers): string[] {
  return items
    .filter((item) => item.verdicts.includes(verdict) && item.stages.includes(stage) && holds(flow, item.when, answers))
    .map((item) => item.text);
}

export function diagnose(flow: Flow, answers: Answers): Diagnosis {
  const { verdict } = firstMatch(flow, flow.diagnosis.verdicts, answers, 'verdict');
  const { stage } = firstMatch(flow, flow.diagnosis.stages, answers, 'stage');
  const pick = (items: RuleItem[]) => applicable(flow, items, verdict, stage, answers);
  const advice = Object.fromEntries(
    ADVICE_SECTIONS.map((section) => [section, pick(flow.diagnosis.advice[section])]),
  ) as Diagnosis['advice'];
  return { verdict, stage, reasons: pick(flow.diagnosis.reasons).slice(0, MAX_REASONS), advice };
}
