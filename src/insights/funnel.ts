/** Which questions make up the diagnosis funnel, in the order a user meets them. */
import type { Flow } from '../conversation/flow-schema.ts';

/**
 * The questions between the flow's start and its result, breadth first along `next` and
 * choices' `next` (so a branch's questions follow the question that leads to them). The
 * menu after the result is not part of the diagnosis.
 */
export function funnelQuestions(flow: Flow): string[] {
  const order: string[] = [];
  const queue = [flow.start];
  while (queue.length) {
    const id = queue.shift()!;
    const state = flow.states[id];
    if (!state || state.type === 'result' || order.includes(id)) continue;
    order.push(id);
    queue.push(...state.choices.flatMap((c) => (c.next ? [c.next] : [])), ...(state.next ? [state.next] : []));
  }
  return order;
}

/** The choices of a question (the meeting modes), or none when the flow has no such question. */
export function choicesOf(flow: Flow, question: string): string[] {
  const state = flow.states[question];
  return state && state.type !== 'result' ? state.choices.map((c) => c.value) : [];
}
