/**
 * What the conversation's handoff effects do (their entries in runtime.ts's effect map).
 * Without a handoff service (tests of other parts, where no advisor is ever offered) they
 * only log.
 */
import type { Logger } from 'pino';
import type { EffectHandlers } from '../conversation/service.ts';
import type { UserRef } from '../conversation/types.ts';
import { userTag } from '../observability/logger.ts';
import type { HandoffService } from './service.ts';

type HandoffEffectHandlers = Pick<EffectHandlers, 'advisorRequested' | 'handoffMessage' | 'handoffWait' | 'handoffEnded' | 'userLeft'>;

export function handoffEffects(handoffs: (() => HandoffService) | undefined, logger: Logger): HandoffEffectHandlers & { forget(user: UserRef): Promise<void> } {
  const unwired = async (_effect: unknown, { user }: { user: UserRef }) => {
    logger.warn({ user: userTag(user) }, 'handoff effect without a handoff service; nobody was contacted');
  };
  if (!handoffs) return { advisorRequested: unwired, handoffMessage: unwired, handoffWait: unwired, handoffEnded: unwired, userLeft: async () => undefined, forget: async () => undefined };
  return {
    advisorRequested: async (effect, { user, session }) => {
      if (!session) return;
      await handoffs().request(user, { locale: session.locale, timeZone: session.timeZone, answers: session.answers, ...(session.verdict ? { verdict: session.verdict } : {}), recent: effect.recent });
    },
    handoffMessage: async (effect, { user }) => handoffs().userMessage(user, effect.text),
    handoffWait: async (_effect, { user }) => handoffs().userWaits(user),
    handoffEnded: async (_effect, { user }) => handoffs().userEnded(user),
    // A user who blocks the bot mid-handoff: the staff see it at once, not at their next reply.
    userLeft: async (_effect, { user }) => handoffs().userLeft(user),
    forget: (user) => handoffs().forget(user),
  };
}
