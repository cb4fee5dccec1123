/** An answer to the state the user is at: a choice (flow or built-in) or a meeting date. */
import { builtIn, type BuiltIn } from './builtins/index.ts';
import { showTip } from './builtins/tips.ts';
import { planReply, runCommand } from './commands.ts';
import { formatMeetingTime, type MeetingTimeParse } from './dates.ts';
import { chooseInvite, isInviteState } from './invite-chat.ts';
import { firstUnanswered } from './open-question.ts';
import { ask, askCurrent, currentQuestion, goTo, nextOf, resume } from './navigation.ts';
import { planMeetingReminders } from './reminder-plan.ts';
import { raise, recordAnswer, reminderSettings, say, setReminders, type Turn } from './turn.ts';

/** `value` is one of the current state's choices (callers check it). */
export function choose(turn: Turn, value: string): void {
  if (isInviteState(turn.s.state)) return chooseInvite(turn, value);
  const special = builtIn(turn.s.state);
  if (special) return chooseBuiltIn(turn, special, value);
  const question = currentQuestion(turn);
  const choice = question?.choices.find((c) => c.value === value);
  if (!question || !choice) return askCurrent(turn);
  if (choice.say) say(turn, choice.say);
  if (choice.action && choice.action !== 'replyPending') return runCommand(turn, choice.action);
  if (question.type === 'datetime') {
    raise(turn, { type: 'meetingCleared' });
    setReminders(turn, []);
  }
  if (choice.action === 'replyPending') planReply(turn);
  raise(turn, { type: 'questionAnswered', state: turn.s.state, choice: value });
  recordAnswer(turn, turn.s.state, value);
  return goTo(turn, firstUnanswered(turn.ctx.content.flow, turn.s.answers, nextOf(question, choice)));
}

function chooseBuiltIn(turn: Turn, special: BuiltIn, value: string): void {
  const choice = special.choices(turn.ctx.content, turn.s).find((c) => c.value === value);
  if (!choice) return askCurrent(turn);
  if (choice.say) say(turn, choice.say);
  if (choice.tip) showTip(turn, choice.tip);
  if (choice.raise) raise(turn, choice.raise);
  const then = choice.then;
  if (then === 'resume') return resume(turn);
  if (then === 'again') return ask(turn, special.state);
  if (then === 'delete') {
    raise(turn, { type: 'deleteData' });
    turn.deleted = true;
    return;
  }
  runCommand(turn, then.run);
}

export function answerDate(turn: Turn, parsed: MeetingTimeParse): void {
  const question = currentQuestion(turn);
  if (!parsed.ok && parsed.reason === 'weekday_mismatch') {
    // The date shown carries its real weekday, so the user sees which one disagrees.
    say(turn, 'reading.date_weekday', { when: formatMeetingTime(parsed.at, turn.s.locale, turn.s.timeZone) });
    return askCurrent(turn);
  }
  if (!parsed.ok) {
    say(turn, `system.date.${parsed.reason}`, { days: turn.ctx.maxDaysAhead });
    return askCurrent(turn);
  }
  const at = parsed.at.toISOString();
  setMeeting(turn, parsed.at);
  if (question?.type !== 'datetime') {
    // A new date typed after the diagnosis: keep the answers, move the meeting.
    const dateQuestion = Object.entries(turn.ctx.content.flow.states).find(([, st]) => st.type === 'datetime');
    if (dateQuestion) turn.s.answers[dateQuestion[0]] = at;
    return askCurrent(turn);
  }
  raise(turn, { type: 'questionAnswered', state: turn.s.state });
  recordAnswer(turn, turn.s.state, at);
  goTo(turn, firstUnanswered(turn.ctx.content.flow, turn.s.answers, question.next));
}

/** The meeting is at `at`: its effect, its reminders and the line confirming it. */
export function setMeeting(turn: Turn, at: Date): void {
  raise(turn, { type: 'meetingSet', at: at.toISOString(), timeZone: turn.s.timeZone });
  setReminders(turn, planMeetingReminders(at, turn.ctx.now, turn.s.timeZone, reminderSettings(turn)));
  say(turn, 'system.date.confirmed', { when: formatMeetingTime(at, turn.s.locale, turn.s.timeZone) });
}
