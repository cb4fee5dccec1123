/** Evaluates the data conditions used by `skipIf`, verdict rules, reasons and advice. */
import type { Condition, Flow } from './flow-schema.ts';

export type Answers = Readonly<Record<string, string>>;

/** A date answer to a datetime question is matched as the token `date`. */
export const DATE_TOKEN = 'date';

export function answerToken(flow: Flow, question: string, answers: Answers): string | undefined {
  const raw = answers[question];
  if (raw === undefined) return undefined;
  const state = flow.states[question];
  if (state?.type === 'datetime' && !state.choices.some((c) => c.value === raw)) return DATE_TOKEN;
  return raw;
}

export function holds(flow: Flow, condition: Condition | undefined, answers: Answers): boolean {
  if (!condition) return true;
  if ('answer' in condition) {
    const token = answerToken(flow, condition.answer, answers);
    return token !== undefined && condition.is.includes(token);
  }
  if ('all' in condition) return condition.all.every((c) => holds(flow, c, answers));
  if ('any' in condition) return condition.any.some((c) => holds(flow, c, answers));
  return !holds(flow, condition.not, answers);
}

/** Every `{answer, is}` leaf of a condition, for validation. */
export function leaves(condition: Condition | undefined): { answer: string; is: string[] }[] {
  if (!condition) return [];
  if ('answer' in condition) return [condition];
  if ('all' in condition) return condition.all.flatMap(leaves);
  if ('any' in condition) return condition.any.flatMap(leaves);
  return leaves(condition.not);
}

/** The meeting instant, if a datetime question was answered with a date. */
export function meetingAt(flow: Flow, answers: Answers): Date | undefined {
  for (const [id, state] of Object.entries(flow.states)) {
    if (state.type === 'datetime' && answerToken(flow, id, answers) === DATE_TOKEN) return new Date(answers[id]!);
  }
  return undefined;
}
