/**
 * The question message after a person answered it, drawn again from our own data: the flow
 * and the person's session ask the question once more, exactly as it was first rendered.
 * The copy of the message that Slack sends with a click is never written back, so a payload
 * cannot put words of its own into a message we own.
 */
import type { Content } from '../../conversation/content.ts';
import { formatMeetingTime } from '../../conversation/dates.ts';
import { ask } from '../../conversation/navigation.ts';
import type { Session } from '../../conversation/session.ts';
import type { Turn } from '../../conversation/turn.ts';
import { answeredMessage, renderMessage, type SlackMessage } from './blocks.ts';
import { translator } from './texts.ts';
import type { Chosen } from './to-inbound.ts';

export interface RedrawContext {
  content: Content;
  now: Date;
  maxDaysAhead: number;
}

/** Undefined when the question or the choice is not one we asked: nothing is redrawn then. */
export function answeredQuestion(ctx: RedrawContext, session: Session, state: string, chosen: Chosen): SlackMessage | undefined {
  const turn: Turn = {
    ctx: { ...ctx, defaults: { locale: session.locale, timeZone: session.timeZone } },
    s: structuredClone(session),
    messages: [],
    effects: [],
    deleted: false,
  };
  ask(turn, state);
  const question = turn.messages[0];
  if (!question || (question.kind !== 'choices' && question.kind !== 'dateInput')) return undefined;
  const label =
    'value' in chosen
      ? question.choices.find((choice) => choice.value === chosen.value)?.label
      : question.kind === 'dateInput'
        ? formatMeetingTime(chosen.at, session.locale, session.timeZone)
        : undefined;
  if (label === undefined) return undefined;
  const t = translator(ctx.content.catalog, session.locale);
  return answeredMessage(renderMessage(question), t('slack.chosen', { choice: label }));
}
