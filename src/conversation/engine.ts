/**
 * The conversation engine: a pure function from (session, input) to (new session,
 * messages, side effects). No I/O, no clock of its own: `now` comes in the context, so a
 * retried step after a lost compare-and-set computes the same thing again.
 */
import { holds, meetingAt } from './conditions.ts';
import type { Content } from './content.ts';
import { formatMeetingTime, parseMeetingTime, parsePickerDateTime, type MeetingTimeParse } from './dates.ts';
import { diagnose, headlineKeys } from './diagnosis.ts';
import type { Action, FlowChoice, QuestionState } from './flow-schema.ts';
import { translate, type Vars } from './i18n.ts';
import { normalizeText } from './normalize.ts';
import {
  DEFAULT_REMINDER_SETTINGS,
  planMeetingReminders,
  planReplyReminder,
  type PlannedReminder,
  type ReminderSettings,
} from './reminder-plan.ts';
import { beforeKey, eveningKeys } from './reminder-texts.ts';
import {
  CONFIRM_DELETE_STATE,
  FOLLOWUP_OUTCOMES,
  FOLLOWUP_STATE,
  SETTINGS_STATE,
  TIPS_STATE,
  type Session,
} from './session.ts';
import type { CardSection, Choice, Inbound, Locale, Outbound, SideEffect } from './types.ts';

/** Longer messages are not answers to anything we ask; they get a polite re-ask. */
export const MAX_TEXT_LENGTH = 500;
const RESUME = 'resume';
/** The question each built-in state asks. */
const BUILT_IN_PROMPTS: Readonly<Record<string, string>> = {
  [TIPS_STATE]: 'system.tips.prompt',
  [CONFIRM_DELETE_STATE]: 'system.delete.confirm',
  [FOLLOWUP_STATE]: 'reminder.followup.prompt',
  [SETTINGS_STATE]: 'system.settings.prompt',
};
const BUILT_IN_STATES = new Set(Object.keys(BUILT_IN_PROMPTS));
/** What the settings menu offers, each an action the commands also reach. */
const SETTINGS_ACTIONS = ['language', 'optOut', 'optIn', 'cancelReminders', 'askDelete'] as const satisfies readonly Action[];

export interface EngineContext {
  content: Content;
  now: Date;
  maxDaysAhead: number;
  defaults: { locale: Locale; timeZone: string };
  reminders?: ReminderSettings;
}

export interface StepResult {
  /** `null`: the user asked for their data to be deleted; `undefined`: nothing to save. */
  session: Session | null | undefined;
  messages: Outbound[];
  effects: SideEffect[];
}

/** One turn being computed: the session copy it mutates and what it has to say. */
interface Turn {
  ctx: EngineContext;
  s: Session;
  messages: Outbound[];
  effects: SideEffect[];
  deleted: boolean;
}

export function newSession(ctx: EngineContext, locale?: Locale): Session {
  const { flow } = ctx.content;
  return {
    flowId: flow.id,
    flowVersion: flow.version,
    state: flow.start,
    answers: {},
    history: [],
    locale: locale ?? ctx.defaults.locale,
    timeZone: ctx.defaults.timeZone,
    optedOut: false,
    updatedAt: ctx.now.toISOString(),
  };
}

export function step(ctx: EngineContext, session: Session | undefined, input: Inbound): StepResult {
  // Someone with no conversation (never started, deleted, expired) is not greeted by a
  // reminder or by leaving: there is nothing to say and nothing to keep.
  if (!session && (input.kind === 'reminder' || input.kind === 'blocked')) {
    return { session: undefined, messages: [], effects: [] };
  }
  const turn: Turn = {
    ctx,
    s: session ? structuredClone(session) : newSession(ctx),
    messages: [],
    effects: [],
    deleted: false,
  };
  if (input.kind === 'blocked') {
    // Nothing is said to someone who left; only their reminders are cancelled.
    if ((turn.s.reminders ?? []).length > 0) setReminders(turn, []);
  } else if (!session) {
    const command = input.kind === 'text' ? matchCommand(turn, input.text) : undefined;
    // "English" as a first message: greet in the language asked for.
    if (command?.action === 'language') turn.s.locale = command.locale ?? turn.s.locale;
    say(turn, 'system.welcome');
    if (command && command.action !== 'restart' && command.action !== 'language') runCommand(turn, command.action, command.locale);
    else goTo(turn, ctx.content.flow.start);
  } else if (isOutdated(ctx, session)) {
    migrate(turn);
  } else {
    handle(turn, input);
  }
  turn.s.updatedAt = ctx.now.toISOString();
  return { session: turn.deleted ? null : turn.s, messages: turn.messages, effects: turn.effects };
}

/** A flow edit changed the version, or removed the state this user was in. */
function isOutdated(ctx: EngineContext, session: Session): boolean {
  const { flow } = ctx.content;
  return (
    session.flowId !== flow.id ||
    session.flowVersion !== flow.version ||
    (!flow.states[session.state] && !BUILT_IN_STATES.has(session.state))
  );
}

// ---------------------------------------------------------------------------- input

function handle(turn: Turn, input: Inbound): void {
  switch (input.kind) {
    case 'start':
      say(turn, 'system.welcome_back');
      return askCurrent(turn);
    case 'unsupported':
      say(turn, 'system.fallback.unsupported');
      return askCurrent(turn);
    case 'choice': {
      if (input.state !== undefined && input.state !== turn.s.state) {
        say(turn, 'system.stale_button');
        return askCurrent(turn);
      }
      const choice = currentChoices(turn).find((c) => c.value === input.value);
      if (!choice) {
        say(turn, 'system.stale_button');
        return askCurrent(turn);
      }
      return choose(turn, choice.value);
    }
    case 'datetime': {
      const question = currentQuestion(turn);
      if (question?.type !== 'datetime' || (input.state !== undefined && input.state !== turn.s.state)) {
        say(turn, 'system.stale_button');
        return askCurrent(turn);
      }
      return answerDate(turn, parsePickerDateTime(input.iso, dateOptions(turn)));
    }
    case 'text':
      return handleText(turn, input.text);
    case 'reminder':
      return fireReminder(turn, input.reminder);
    case 'blocked':
      return;
  }
}

function handleText(turn: Turn, raw: string): void {
  if (raw.length > MAX_TEXT_LENGTH) {
    say(turn, 'system.fallback.too_long');
    return askCurrent(turn);
  }
  const text = normalizeText(raw);
  if (text === '') {
    say(turn, 'system.fallback.empty');
    return askCurrent(turn);
  }
  const command = matchCommand(turn, raw);
  if (command) return runCommand(turn, command.action, command.locale);

  const choice = matchChoice(turn, text);
  if (choice) return choose(turn, choice.value);

  const question = currentQuestion(turn);
  const asksDate = question?.type === 'datetime';
  // At the menu a readable date moves the meeting; elsewhere dates are not expected.
  const parsed = asksDate || turn.s.state === menuState(turn) ? parseMeetingTime(raw, dateOptions(turn)) : undefined;
  if (parsed && (parsed.ok || parsed.reason !== 'invalid')) return answerDate(turn, parsed);

  const tip = matchTipKeyword(turn, text);
  if (tip) {
    showTip(turn, tip);
    return askCurrent(turn);
  }
  if (parsed && asksDate) return answerDate(turn, parsed);
  say(turn, 'system.fallback.choice');
  askCurrent(turn);
}

function matchCommand(turn: Turn, raw: string): { action: Action; locale?: Locale } | undefined {
  const text = normalizeText(raw);
  return turn.ctx.content.flow.commands.find((c) => c.keywords.some((k) => normalizeText(k) === text));
}

/** Words that answer the built-in yes/no question, in either language. */
const CONFIRM_WORDS: Record<string, readonly string[]> = {
  yes: ['はい', 'yes', 'y', 'ok', 'delete'],
  no: ['いいえ', 'no', 'n', 'やめる', 'cancel', 'キャンセル'],
};

function matchChoice(turn: Turn, text: string): Choice | undefined {
  const choices = currentChoices(turn);
  const index = /^\d{1,2}$/.test(text) ? Number(text) - 1 : -1;
  if (index >= 0 && index < choices.length) return choices[index];
  if (turn.s.state === CONFIRM_DELETE_STATE) {
    const value = Object.keys(CONFIRM_WORDS).find((v) => CONFIRM_WORDS[v]!.includes(text));
    if (value) return choices.find((c) => c.value === value);
  }
  const question = currentQuestion(turn);
  return choices.find((choice) => {
    if (normalizeText(choice.value) === text || normalizeText(choice.label) === text) return true;
    const flowChoice = question?.choices.find((c) => c.value === choice.value);
    if (!flowChoice) return false;
    const labels = Object.values(turn.ctx.content.catalog).map((cat) => cat.get(flowChoice.label) ?? '');
    return [...labels, ...flowChoice.synonyms].some((word) => word !== '' && normalizeText(word) === text);
  });
}

function matchTipKeyword(turn: Turn, text: string): string | undefined {
  return turn.ctx.content.tips.find((tip) => tip.keywords.some((k) => text.includes(normalizeText(k))))?.id;
}

// ---------------------------------------------------------------------------- answers

function choose(turn: Turn, value: string): void {
  const { s } = turn;
  if (s.state === TIPS_STATE) {
    if (value === RESUME) return resume(turn);
    showTip(turn, value);
    return ask(turn, TIPS_STATE);
  }
  if (s.state === CONFIRM_DELETE_STATE) {
    if (value === 'yes') return deleteEverything(turn);
    say(turn, 'system.delete.cancelled');
    return resume(turn);
  }
  if (s.state === FOLLOWUP_STATE) {
    say(turn, `reminder.followup.${value}`);
    return resume(turn);
  }
  if (s.state === SETTINGS_STATE) {
    const action = SETTINGS_ACTIONS.find((a) => a === value);
    return action ? runCommand(turn, action) : resume(turn);
  }
  const question = currentQuestion(turn);
  const choice = question?.choices.find((c) => c.value === value);
  if (!question || !choice) return askCurrent(turn);
  if (choice.say) say(turn, choice.say);
  if (choice.action && choice.action !== 'replyPending') return runCommand(turn, choice.action);
  if (question.type === 'datetime') {
    turn.effects.push({ type: 'meetingCleared' });
    setReminders(turn, []);
  }
  if (choice.action === 'replyPending') {
    turn.effects.push({ type: 'replyPending' });
    setReminders(turn, [planReplyReminder(turn.ctx.now, turn.s.timeZone, reminderSettings(turn))]);
  }
  recordAnswer(turn, s.state, value);
  return goTo(turn, nextOf(question, choice));
}

function answerDate(turn: Turn, parsed: MeetingTimeParse): void {
  const question = currentQuestion(turn);
  if (!parsed.ok) {
    say(turn, `system.date.${parsed.reason}`, { days: turn.ctx.maxDaysAhead });
    return askCurrent(turn);
  }
  const at = parsed.at.toISOString();
  turn.effects.push({ type: 'meetingSet', at, timeZone: turn.s.timeZone });
  setReminders(turn, planMeetingReminders(parsed.at, turn.ctx.now, turn.s.timeZone, reminderSettings(turn)));
  say(turn, 'system.date.confirmed', { when: formatMeetingTime(parsed.at, turn.s.locale, turn.s.timeZone) });
  if (question?.type !== 'datetime') {
    // A new date typed after the diagnosis: keep the answers, move the meeting.
    const dateQuestion = Object.entries(turn.ctx.content.flow.states).find(([, st]) => st.type === 'datetime');
    if (dateQuestion) turn.s.answers[dateQuestion[0]] = at;
    return askCurrent(turn);
  }
  recordAnswer(turn, turn.s.state, at);
  goTo(turn, question.next);
}

function recordAnswer(turn: Turn, question: string, value: string): void {
  turn.s.answers[question] = value;
  turn.s.history = [...turn.s.history.filter((q) => q !== question), question];
}

function nextOf(question: QuestionState, choice: FlowChoice): string | undefined {
  return choice.next ?? question.next;
}

// ---------------------------------------------------------------------------- navigation

/** Enters a state, skipping questions made pointless by earlier answers and emitting results. */
function goTo(turn: Turn, target: string | undefined): void {
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
    return ask(turn, id);
  }
  // Validation makes this unreachable; never leave a user without a question.
  turn.s.state = flow.start;
  ask(turn, flow.start);
}

function holdsSkip(turn: Turn, id: string): boolean {
  const { flow } = turn.ctx.content;
  const state = flow.states[id];
  return !!state && state.type !== 'result' && !!state.skipIf && holds(flow, state.skipIf, turn.s.answers);
}

function resume(turn: Turn): void {
  const target = turn.s.returnTo ?? turn.ctx.content.flow.start;
  delete turn.s.returnTo;
  turn.s.state = target;
  askCurrent(turn);
}

function interrupt(turn: Turn, builtIn: string): void {
  if (!BUILT_IN_STATES.has(turn.s.state)) turn.s.returnTo = turn.s.state;
  turn.s.state = builtIn;
  ask(turn, builtIn);
}

/** The state that follows the result: the menu. */
function menuState(turn: Turn): string | undefined {
  const result = Object.values(turn.ctx.content.flow.states).find((st) => st.type === 'result');
  return result?.next;
}

// ---------------------------------------------------------------------------- commands

function runCommand(turn: Turn, action: Action, locale?: Locale): void {
  const { s } = turn;
  switch (action) {
    case 'restart':
      s.answers = {};
      s.history = [];
      delete s.verdict;
      delete s.returnTo;
      say(turn, 'system.restart');
      return goTo(turn, turn.ctx.content.flow.start);
    case 'back':
      return goBack(turn);
    case 'help':
      say(turn, 'system.help');
      return askCurrent(turn);
    case 'language': {
      s.locale = locale ?? (s.locale === 'ja' ? 'en' : 'ja');
      turn.effects.push({ type: 'localeChanged', locale: s.locale });
      say(turn, 'system.language_changed');
      return askCurrent(turn);
    }
    case 'optOut':
      s.optedOut = true;
      turn.effects.push({ type: 'optOut' });
      say(turn, 'system.opted_out');
      return askCurrent(turn);
    case 'optIn':
      s.optedOut = false;
      turn.effects.push({ type: 'optIn' });
      say(turn, 'system.opted_in');
      return askCurrent(turn);
    case 'askDelete':
      return interrupt(turn, CONFIRM_DELETE_STATE);
    case 'showTips':
      return interrupt(turn, TIPS_STATE);
    case 'settings':
      return interrupt(turn, SETTINGS_STATE);
    case 'showReminders':
      sayReminders(turn);
      return askCurrent(turn);
    case 'cancelReminders':
      setReminders(turn, []);
      say(turn, 'system.reminders.cancelled');
      return askCurrent(turn);
    case 'stopAll':
      s.optedOut = true;
      turn.effects.push({ type: 'optOut' });
      setReminders(turn, []);
      say(turn, 'system.stopped_all');
      return askCurrent(turn);
    case 'menu': {
      const menu = menuState(turn);
      if (!s.verdict || !menu) {
        say(turn, 'system.no_result_yet');
        return askCurrent(turn);
      }
      delete s.returnTo;
      s.state = menu;
      return ask(turn, menu);
    }
    case 'showResult':
      if (!s.verdict) {
        say(turn, 'system.no_result_yet');
        return askCurrent(turn);
      }
      emitResult(turn, { announce: false });
      return askCurrent(turn);
    case 'advisor':
      turn.effects.push({ type: 'advisorRequested' });
      say(turn, 'system.advisor');
      return askCurrent(turn);
    case 'replyPending':
      turn.effects.push({ type: 'replyPending' });
      setReminders(turn, [planReplyReminder(turn.ctx.now, turn.s.timeZone, reminderSettings(turn))]);
      return askCurrent(turn);
  }
}

function goBack(turn: Turn): void {
  const { s } = turn;
  if (BUILT_IN_STATES.has(s.state)) return resume(turn);
  const previous = s.history.at(-1);
  if (previous === undefined) {
    say(turn, 'system.back_at_start');
    return askCurrent(turn);
  }
  s.history = s.history.slice(0, -1);
  delete s.answers[previous];
  delete s.verdict;
  s.state = previous;
  askCurrent(turn);
}

function deleteEverything(turn: Turn): void {
  turn.effects.push({ type: 'deleteData' });
  say(turn, 'system.delete.done');
  turn.deleted = true;
}

function sayReminders(turn: Turn): void {
  const upcoming = (turn.s.reminders ?? []).filter((r) => new Date(r.at) > turn.ctx.now);
  if (upcoming.length === 0) return say(turn, 'system.reminders.none');
  const lines = upcoming.map((r) =>
    t(turn, 'system.reminders.item', { when: when(turn, r.at), what: t(turn, `reminder.kind.${r.kind}`) }),
  );
  turn.messages.push({
    kind: 'text',
    text: [t(turn, 'system.reminders.header'), ...lines, t(turn, 'system.reminders.how_to_change')].join('\n'),
  });
}

// ---------------------------------------------------------------------------- reminders

function reminderSettings(turn: Turn): ReminderSettings {
  return turn.ctx.reminders ?? DEFAULT_REMINDER_SETTINGS;
}

function setReminders(turn: Turn, reminders: PlannedReminder[]): void {
  turn.s.reminders = reminders;
  turn.effects.push({ type: 'remindersChanged', reminders });
}

function sameReminder(a: PlannedReminder, b: PlannedReminder): boolean {
  return a.kind === b.kind && a.at === b.at;
}

function when(turn: Turn, iso: string): string {
  return formatMeetingTime(new Date(iso), turn.s.locale, turn.s.timeZone);
}

/**
 * A reminder job fired. Only a reminder still in the plan is delivered: a rescheduled or
 * cancelled one is recognised here and says nothing.
 */
function fireReminder(turn: Turn, reminder: PlannedReminder): void {
  const planned = turn.s.reminders ?? [];
  if (!planned.some((r) => sameReminder(r, reminder))) return;
  turn.s.reminders = planned.filter((r) => !sameReminder(r, reminder));
  const vars = { when: reminder.meetingAt ? when(turn, reminder.meetingAt) : '' };
  switch (reminder.kind) {
    case 'reply':
      return say(turn, 'reminder.reply');
    case 'eve': {
      const lines = eveningKeys(turn.ctx.content.flow, turn.s.answers).map((key) => t(turn, key));
      return sayList(turn, t(turn, 'reminder.eve.title', vars), lines);
    }
    case 'before':
      say(turn, 'reminder.before.text', vars);
      return say(turn, beforeKey(turn.s.answers));
    case 'after':
      return interrupt(turn, FOLLOWUP_STATE);
  }
}

// ---------------------------------------------------------------------------- migration

/**
 * The flow changed under this user. Keep the answers the new flow still understands and
 * continue at the first question they do not cover; with nothing kept, restart politely.
 */
function migrate(turn: Turn): void {
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
  const { resumeAt, path } = walkAnswers(turn);
  // History is the path actually walked, so "back" after a migration goes backwards.
  s.history = path;
  goTo(turn, resumeAt);
}

/** Follows the flow from the start through the kept answers to the first unanswered question. */
function walkAnswers(turn: Turn): { resumeAt: string | undefined; path: string[] } {
  const { flow } = turn.ctx.content;
  const path: string[] = [];
  let id: string | undefined = flow.start;
  for (let hops = 0; id !== undefined && hops <= Object.keys(flow.states).length; hops++) {
    const state: (typeof flow.states)[string] | undefined = flow.states[id];
    if (!state || state.type === 'result') break;
    if (state.skipIf && holdsSkip(turn, id)) {
      id = state.next;
      continue;
    }
    const answer = turn.s.answers[id];
    if (answer === undefined) break;
    path.push(id);
    const choice = state.choices.find((c) => c.value === answer);
    id = choice ? nextOf(state, choice) : state.next;
  }
  return { resumeAt: id, path };
}

// ---------------------------------------------------------------------------- output

function t(turn: Turn, key: string, vars?: Vars): string {
  return translate(turn.ctx.content.catalog, turn.s.locale, key, vars);
}

function say(turn: Turn, key: string, vars?: Vars): void {
  turn.messages.push({ kind: 'text', text: t(turn, key, vars) });
}

function questionFor(turn: Turn, id: string): QuestionState | undefined {
  const state = turn.ctx.content.flow.states[id];
  return state && state.type !== 'result' ? state : undefined;
}

function currentQuestion(turn: Turn): QuestionState | undefined {
  return questionFor(turn, turn.s.state);
}

function currentChoices(turn: Turn): Choice[] {
  return choicesFor(turn, turn.s.state);
}

function choicesFor(turn: Turn, id: string): Choice[] {
  if (id === TIPS_STATE) {
    return [
      ...turn.ctx.content.tips.map((tip) => ({ value: tip.id, label: t(turn, `tips.${tip.id}.title`) })),
      { value: RESUME, label: t(turn, 'system.tips.back') },
    ];
  }
  if (id === SETTINGS_STATE) {
    const shown = SETTINGS_ACTIONS.filter((a) => (turn.s.optedOut ? a !== 'optOut' : a !== 'optIn'));
    return [
      ...shown.map((value) => ({ value, label: t(turn, `system.settings.${value}`) })),
      { value: RESUME, label: t(turn, 'system.settings.back') },
    ];
  }
  if (id === FOLLOWUP_STATE) {
    return FOLLOWUP_OUTCOMES.map((value) => ({ value, label: t(turn, `reminder.followup.choice.${value}`) }));
  }
  if (id === CONFIRM_DELETE_STATE) {
    return [
      { value: 'yes', label: t(turn, 'system.delete.yes') },
      { value: 'no', label: t(turn, 'system.delete.no') },
    ];
  }
  return (questionFor(turn, id)?.choices ?? []).map((c) => ({ value: c.value, label: t(turn, c.label) }));
}

function askCurrent(turn: Turn): void {
  ask(turn, turn.s.state);
}

function ask(turn: Turn, id: string): void {
  const choices = choicesFor(turn, id);
  const builtInPrompt = BUILT_IN_PROMPTS[id];
  if (builtInPrompt) {
    turn.messages.push({ kind: 'choices', text: t(turn, builtInPrompt), choices, state: id });
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

/** A card of a title and bullet lines (tips, the evening-before checklist). */
function sayList(turn: Turn, title: string, lines: string[]): void {
  turn.messages.push({
    kind: 'card',
    title,
    summary: '',
    sections: [{ heading: '', lines }],
    altText: [title, ...lines.map((l) => `・${l}`)].join('\n'),
  });
}

function showTip(turn: Turn, id: string): void {
  if (!turn.ctx.content.tips.some((tip) => tip.id === id)) return;
  sayList(turn, t(turn, `tips.${id}.title`), t(turn, `tips.${id}.body`).split('\n').filter(Boolean));
}

/** Labels (or a formatted date) of the user's answers, to quote them in reasons. */
function answerLabels(turn: Turn): Vars {
  const { flow } = turn.ctx.content;
  const vars: Vars = {};
  for (const [question, value] of Object.entries(turn.s.answers)) {
    const state = flow.states[question];
    if (!state || state.type === 'result') continue;
    const choice = state.choices.find((c) => c.value === value);
    if (choice) vars[question] = t(turn, choice.label);
    else if (state.type === 'datetime') vars[question] = formatMeetingTime(new Date(value), turn.s.locale, turn.s.timeZone);
  }
  return vars;
}

function emitResult(turn: Turn, options: { announce: boolean } = { announce: true }): void {
  const { flow } = turn.ctx.content;
  const result = diagnose(flow, turn.s.answers);
  turn.s.verdict = result.verdict;
  if (options.announce) turn.effects.push({ type: 'verdictReached', verdict: result.verdict });
  const vars = answerLabels(turn);
  const section = (heading: string, keys: string[]): CardSection[] =>
    keys.length ? [{ heading: t(turn, heading), lines: keys.map((k) => t(turn, k, vars)) }] : [];
  const at = meetingAt(turn.ctx.content.flow, turn.s.answers);
  const meeting: CardSection = {
    heading: t(turn, 'result.meeting'),
    lines: at
      ? [t(turn, 'result.meeting_at', { when: formatMeetingTime(at, turn.s.locale, turn.s.timeZone) })]
      : [t(turn, 'result.meeting_not_set')],
  };
  const headline = headlineKeys(result);
  const title = t(turn, headline.title);
  const summary = `${t(turn, headline.likelihood)}\n${t(turn, headline.summary)}`;
  const sections = [
    ...section('result.reasons', result.reasons),
    ...section('result.asked', result.advice.asked),
    ...section('result.answer', result.advice.answer),
    ...section('result.cautions', result.advice.cautions),
    ...section('result.checklist', result.advice.checklist),
    meeting,
  ];
  const altText = [title, summary, ...sections.flatMap((sec) => [`【${sec.heading}】`, ...sec.lines.map((l) => `・${l}`)])].join(
    '\n',
  );
  turn.messages.push({ kind: 'card', title, summary, sections, altText });
}

function dateOptions(turn: Turn) {
  return { now: turn.ctx.now, timeZone: turn.s.timeZone, maxDaysAhead: turn.ctx.maxDaysAhead };
}
