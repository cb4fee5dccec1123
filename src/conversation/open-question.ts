/** Where a conversation goes on once some answers are known (kept after a flow change, read from an invitation). */
import { holds } from './conditions.ts';
import type { Flow } from './flow-schema.ts';

export interface Walk {
  /** The first question on the way that has no answer (or the result state). */
  resumeAt: string | undefined;
  /** The questions answered on the way, in order: the history "back" walks. */
  path: string[];
  /** Questions passed because their `skipIf` holds; an answer they hold is moot. */
  skipped: string[];
}

/** Follows the flow from the start through the given answers to the first unanswered question. */
export function walkAnswers(flow: Flow, answers: Readonly<Record<string, string>>): Walk {
  const path: string[] = [];
  const skipped: string[] = [];
  let id: string | undefined = flow.start;
  for (let hops = 0; id !== undefined && hops <= Object.keys(flow.states).length; hops++) {
    const state: (typeof flow.states)[string] | undefined = flow.states[id];
    if (!state || state.type === 'result') break;
    if (state.skipIf && holds(flow, state.skipIf, answers)) {
      skipped.push(id);
      id = state.next;
      continue;
    }
    const answer = answers[id];
    if (answer === undefined) break;
    path.push(id);
    const choice = state.choices.find((c) => c.value === answer);
    id = choice?.next ?? state.next;
  }
  return { resumeAt: id, path, skipped };
}

/**
 * From `target` on, the first state whose question has no answer yet: after a pasted
 * invitation has answered later questions (the meeting's date and mode), answering an
 * earlier one does not ask them again.
 */
export function firstUnanswered(flow: Flow, answers: Readonly<Record<string, string>>, target: string | undefined): string | undefined {
  let id = target;
  for (let hops = 0; id !== undefined && hops <= Object.keys(flow.states).length; hops++) {
    const state: (typeof flow.states)[string] | undefined = flow.states[id];
    const answer = answers[id];
    if (!state || state.type === 'result' || answer === undefined) return id;
    const choice = state.choices.find((c) => c.value === answer);
    id = choice?.next ?? state.next;
  }
  return id;
}
