/** Maps answers to a verdict and picks the reasons and advice that apply (pure data rules). */
import { holds, type Answers } from './conditions.ts';
import { ADVICE_SECTIONS, type Flow, type RuleItem } from './flow-schema.ts';
import type { Verdict } from './types.ts';

export const MAX_REASONS = 4;

export interface Diagnosis {
  verdict: Verdict;
  reasons: string[];
  advice: Record<(typeof ADVICE_SECTIONS)[number], string[]>;
}

function applicable(flow: Flow, items: RuleItem[], verdict: Verdict, answers: Answers): string[] {
  return items
    .filter((item) => (!item.verdicts || item.verdicts.includes(verdict)) && holds(flow, item.when, answers))
    .map((item) => item.text);
}

export function diagnose(flow: Flow, answers: Answers): Diagnosis {
  const rule = flow.diagnosis.verdicts.find((r) => holds(flow, r.when, answers));
  // Validation guarantees a final rule without `when`; this guards hand-built flows in tests.
  if (!rule) throw new Error(`no verdict rule matched in flow ${flow.id}`);
  const { verdict } = rule;
  const advice = Object.fromEntries(
    ADVICE_SECTIONS.map((section) => [section, applicable(flow, flow.diagnosis.advice[section], verdict, answers)]),
  ) as Diagnosis['advice'];
  return { verdict, reasons: applicable(flow, flow.diagnosis.reasons, verdict, answers).slice(0, MAX_REASONS), advice };
}
