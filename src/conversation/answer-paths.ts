/**
 * Every way a user can walk the flow's questions to its result, as the answers each walk
 * records. Validation uses it to know which cards can exist; tests walk each path.
 */
import { DATE_TOKEN, holds, type Answers } from './conditions.ts';
import type { Flow } from './flow-schema.ts';

/** One answered question on a path; a datetime question answered with a date has `DATE_TOKEN`. */
export interface PathStep {
  question: string;
  value: string;
}

/** The answers of a path, with a date answer kept as `DATE_TOKEN` (it matches `date` in conditions). */
export function pathAnswers(path: readonly PathStep[]): Answers {
  return Object.fromEntries(path.map((s) => [s.question, s.value]));
}

export function answerPaths(flow: Flow): PathStep[][] {
  const paths: PathStep[][] = [];
  const limit = Object.keys(flow.states).length;
  const walk = (id: string | undefined, path: PathStep[]): void => {
    const state = id === undefined ? undefined : flow.states[id];
    // A path that runs off the flow or loops never shows a result; validation reports those states.
    if (!state || path.length > limit) return;
    if (state.type === 'result') {
      paths.push(path);
      return;
    }
    if (state.skipIf && holds(flow, state.skipIf, pathAnswers(path))) return walk(state.next, path);
    for (const choice of state.choices) {
      // Other actions (restart, advisor, ...) leave the question unanswered.
      if (choice.action && choice.action !== 'replyPending') continue;
      walk(choice.next ?? state.next, [...path, { question: id!, value: choice.value }]);
    }
    if (state.type === 'datetime') walk(state.next, [...path, { question: id!, value: DATE_TOKEN }]);
  };
  walk(flow.start, []);
  return paths;
}
