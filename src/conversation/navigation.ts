/**
 * Where the conversation is and where it goes: entering a state (skipping questions made
 * pointless by earlier answers, emitting the result), asking it, interrupting the flow for a
 * built-in state and resuming after it.
 */
import { builtIn, isBuiltIn } from './builtins/index.ts';
import { holds } from './conditions.ts';
import { advisorOffered, inHandoff } from './handoff-state.ts';
import { inviteChoices, inviteQuestion, isInviteState } from './invite-chat.ts';
import type { FlowChoice, QuestionState } from './flow-schema.ts';
import { emitResult } from './result.ts';
import { raise, t, type Turn } from './turn.ts';
import type { Choice } from './types.ts';

/** Enters a state, skipping questions made pointless by earlier answers and emitting results. */
export function goTo(turn: Turn, target: string | undefined): void {
  const { flow } = turn.ctx.content;
  let id = target;
  for (let hops = 0; id !== undefined && hops <= Object.keys(flow.states).length; hops++) {
    const state = flow.states[id];
    if (!state) break;
    if (state.type === 'result') {
      emitResult(turn);
      id = state.next;
      continue;
    }
    if (state.skipIf && holdsSkip(turn, id)) {
      delete turn.s.answers[id];
      id = state.next;
      continue;
    }
    turn.s.state = id;
    raise(turn, { type: 'questionReached', state: id });
    return ask(turn, id);
  }
  // Validation makes this unreachable; never leave a user without a question.
  turn.s.state = flow.start;
  ask(turn, flow.start);
}

export function holdsSkip(turn: Turn, id: string): boolean {
  const { flow } = turn.ctx.content;
  const state = flow.states[id];
  return !!state && state.type !== 'result' && !!state.skipIf && holds(flow, state.skipIf, turn.s.answers);
}

export function nextOf(question: QuestionState, choice: FlowChoice): string | undefined {
  return choice.next ?? question.next;
}

/** Leaves a built-in state for the state it interrupted (or the start). */
export function resume(turn: Turn): void {
  const target = turn.s.returnTo ?? turn.ctx.content.flow.start;
  delete turn.s.returnTo;
  turn.s.state = target;
  askCurrent(turn);
}

/** Enters a built-in state, remembering the flow state to return to. */
export function interrupt(turn: Turn, state: string): void {
  if (!isBuiltIn(turn.s.state)) turn.s.returnTo = turn.s.state;
  turn.s.state = state;
  ask(turn, state);
}

/** The state that follows the result: the menu. */
export function menuState(turn: Turn): string | undefined {
  const result = Object.values(turn.ctx.content.flow.states).find((st) => st.type === 'result');
  return result?.next;
}

function questionFor(turn: Turn, id: string): QuestionState | undefined {
  const state = turn.ctx.content.flow.states[id];
  return state && state.type !== 'result' ? state : undefined;
}

/** The flow question the user is at; undefined in a built-in state. */
export function currentQuestion(turn: Turn): QuestionState | undefined {
  return questionFor(turn, turn.s.state);
}

export function currentChoices(turn: Turn): Choice[] {
  return choicesFor(turn, turn.s.state);
}

/** The choices of a state (flow or built-in), labelled in the user's language. */
export function choicesFor(turn: Turn, id: string): Choice[] {
  if (isInviteState(id)) return inviteChoices(turn, id);
  const special = builtIn(id);
  const choices = special ? special.choices(turn.ctx.content, turn.s) : (questionFor(turn, id)?.choices ?? []);
  // The advisor choice only where someone answers (handoff-state.ts).
  const offered = choices.filter((c) => !('action' in c) || c.action !== 'advisor' || advisorOffered(turn));
  return offered.map((c) => ({ value: c.value, label: t(turn, c.label) }));
}

export function askCurrent(turn: Turn): void {
  // An advisor handles the conversation: the bot asks nothing until it is handed back.
  if (inHandoff(turn)) return;
  ask(turn, turn.s.state);
}

export function ask(turn: Turn, id: string): void {
  if (isInviteState(id)) {
    turn.messages.push(inviteQuestion(turn, id));
    return;
  }
  const choices = choicesFor(turn, id);
  const special = builtIn(id);
  if (special) {
    turn.messages.push({ kind: 'choices', text: t(turn, special.prompt), choices, state: id });
    return;
  }
  const question = turn.ctx.content.flow.states[id];
  if (!question || question.type === 'result') return;
  if (question.type === 'datetime') {
    const { now, maxDaysAhead } = turn.ctx;
    turn.messages.push({
      kind: 'dateInput',
      text: t(turn, question.prompt),
      choices,
      state: id,
      min: now.toISOString(),
      max: new Date(now.getTime() + maxDaysAhead * 86_400_000).toISOString(),
    });
    return;
  }
  turn.messages.push({ kind: 'choices', text: t(turn, question.prompt), choices, state: id });
}
