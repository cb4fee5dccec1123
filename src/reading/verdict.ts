/**
 * The verdict the flow's own rules give for what was read. A rule may need an answer the
 * text did not give; the verdict stands only when every possible answer to those
 * questions leads to the same one, otherwise there is none (the chat asks instead).
 */
import { leaves } from '../conversation/conditions.ts';
import { diagnose } from '../conversation/diagnosis.ts';
import type { Flow } from '../conversation/flow-schema.ts';
import type { Verdict } from '../conversation/types.ts';

/** Stands for "some date" when a rule looks at a datetime question. */
const ANY_DATE = '2000-01-01T00:00:00.000Z';

export function verdictFor(flow: Flow, known: Readonly<Record<string, string | null | undefined>>): Verdict | null {
  const questions = [...new Set(flow.diagnosis.verdicts.flatMap((rule) => leaves(rule.when).map((leaf) => leaf.answer)))];
  const answers: Record<string, string> = {};
  const open: [string, string[]][] = [];
  for (const id of questions) {
    const value = known[id];
    if (value !== null && value !== undefined) {
      answers[id] = value;
      continue;
    }
    const state = flow.states[id];
    if (!state || state.type === 'result') continue;
    const values = state.choices.map((c) => c.value);
    open.push([id, state.type === 'datetime' ? [...values, ANY_DATE] : values]);
  }
  const seen = new Set<Verdict>();
  const visit = (index: number): void => {
    if (seen.size > 1) return;
    if (index === open.length) {
      seen.add(diagnose(flow, answers).verdict);
      return;
    }
    const [id, values] = open[index]!;
    for (const value of values) {
      answers[id] = value;
      visit(index + 1);
    }
    delete answers[id];
  };
  visit(0);
  return seen.size === 1 ? [...seen][0]! : null;
}
