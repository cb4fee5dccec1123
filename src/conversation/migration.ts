/** A flow edit changed the version, or removed the state this user was in: carry the user over. */
import { isBuiltIn } from './builtins/index.ts';
import { goTo } from './navigation.ts';
import { walkAnswers } from './open-question.ts';
import type { Session } from './session.ts';
import { say, type EngineContext, type Turn } from './turn.ts';

export function isOutdated(ctx: EngineContext, session: Session): boolean {
  const { flow } = ctx.content;
  return (
    session.flowId !== flow.id ||
    session.flowVersion !== flow.version ||
    (!flow.states[session.state] && !isBuiltIn(session.state))
  );
}

/**
 * Keeps the answers the new flow still understands and continues at the first question they
 * do not cover; with nothing kept, restarts politely.
 */
export function migrate(turn: Turn): void {
  const { flow } = turn.ctx.content;
  const { s } = turn;
  const kept: Record<string, string> = {};
  for (const [question, value] of Object.entries(s.answers)) {
    const state = flow.states[question];
    if (!state || state.type === 'result') continue;
    if (state.choices.some((c) => c.value === value) || (state.type === 'datetime' && !Number.isNaN(Date.parse(value)))) {
      kept[question] = value;
    }
  }
  s.flowId = flow.id;
  s.flowVersion = flow.version;
  s.answers = kept;
  delete s.returnTo;
  delete s.verdict;
  if (Object.keys(kept).length === 0) {
    s.history = [];
    say(turn, 'system.flow_restarted');
    return goTo(turn, flow.start);
  }
  say(turn, 'system.flow_updated');
  const { resumeAt, path } = walkAnswers(flow, s.answers);
  // History is the path actually walked, so "back" after a migration goes backwards.
  s.history = path;
  goTo(turn, resumeAt);
}
