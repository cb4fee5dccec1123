/**
 * From daily counters to what staff see: pure, so every number on the page can be checked
 * against the counters that made it. Any count from 1 to 4 is shown as "< 5" (a group that
 * small could point at a person), and a share is only given over 5 answers or more.
 */
import { VERDICTS, type Verdict } from '../conversation/types.ts';
import { REMINDER_KINDS } from '../conversation/reminder-plan.ts';
import { BROADCAST_COUNTS, field, REMINDER_SKIPS, USER_EVENTS, type BroadcastCount, type UserEvent } from './fields.ts';

export const SMALL_GROUP = '< 5';
export type Shown = number | typeof SMALL_GROUP;
export const MIN_GROUP = 5;

/** A count as staff may see it. */
export function shown(n: number): Shown {
  return n > 0 && n < MIN_GROUP ? SMALL_GROUP : n;
}

export interface ReportInput {
  /** Local dates, oldest first, and their counters in the same order. */
  days: readonly string[];
  buckets: readonly Record<string, number>[];
  timeZone: string;
  channels: readonly string[];
  locales: readonly string[];
  /** The diagnosis questions in order (funnelQuestions). */
  questions: readonly string[];
  /** The meeting modes a user can answer. */
  modes: readonly string[];
}

type Row<K extends string> = Record<K, Shown>;

export function buildReport(input: ReportInput) {
  const totals: Record<string, number> = {};
  for (const bucket of input.buckets) for (const [k, n] of Object.entries(bucket)) totals[k] = (totals[k] ?? 0) + n;
  const get = (key: string) => totals[key] ?? 0;
  const sum = (keys: string[]) => keys.reduce((acc, k) => acc + get(k), 0);
  const row = <K extends string>(names: readonly K[], count: (name: K) => number) =>
    Object.fromEntries(names.map((name) => [name, shown(count(name))])) as Row<K>;

  const userCount = (event: UserEvent, channels = input.channels, locales = input.locales, bucket = totals) =>
    channels.flatMap((c) => locales.map((l) => bucket[field.user(event, c, l)] ?? 0)).reduce((a, b) => a + b, 0);
  const users = {
    total: row(USER_EVENTS, (e) => userCount(e)),
    groups: input.channels.flatMap((channel) =>
      input.locales.map((locale) => ({ channel, locale, ...row(USER_EVENTS, (e) => userCount(e, [channel], [locale])) })),
    ),
  };

  const results = sum(VERDICTS.map(field.verdict));
  const funnel = [
    ...input.questions.map((state) => {
      const reached = get(field.reached(state));
      const answered = get(field.answered(state));
      return { state, reached: shown(reached), answered: shown(answered), dropOff: shown(Math.max(0, reached - answered)) };
    }),
    { state: 'result', reached: shown(results) },
  ];

  const daily = input.days.map((date, i) => {
    const bucket = input.buckets[i] ?? {};
    const verdicts = VERDICTS.reduce((acc, v) => acc + (bucket[field.verdict(v)] ?? 0), 0);
    const first = input.questions[0];
    return {
      date,
      new: shown(userCount('new', input.channels, input.locales, bucket)),
      blocked: shown(userCount('blocked', input.channels, input.locales, bucket)),
      optedOut: shown(userCount('optedOut', input.channels, input.locales, bucket)),
      started: shown(first ? (bucket[field.reached(first)] ?? 0) : 0),
      results: shown(verdicts),
    };
  });

  const outcomes = Object.fromEntries(
    VERDICTS.map((verdict) => {
      const [offer, waiting, rejected] = (['offer', 'waiting', 'rejected'] as const).map((a) => get(field.followUp(a, verdict)));
      const asked = get(field.followUpAsked(verdict));
      const known = offer! + waiting! + rejected!;
      return [
        verdict,
        {
          asked: shown(asked),
          offer: shown(offer!),
          waiting: shown(waiting!),
          rejected: shown(rejected!),
          no_answer: shown(Math.max(0, asked - known)),
          offerShare: known >= MIN_GROUP ? offer! / known : null,
        },
      ];
    }),
  ) as Record<Verdict, { asked: Shown; offer: Shown; waiting: Shown; rejected: Shown; no_answer: Shown; offerShare: number | null }>;

  const reminderRow = (kinds: readonly string[]) => ({
    planned: shown(sum(kinds.map(field.reminderPlanned))),
    sent: shown(sum(kinds.map(field.reminderSent))),
    ...row(REMINDER_SKIPS, (reason) => sum(kinds.map((k) => field.reminderSkipped(reason, k)))),
    failed: shown(sum(kinds.map(field.reminderFailed))),
  });

  return {
    from: input.days[0] ?? '',
    to: input.days.at(-1) ?? '',
    days: input.days.length,
    timeZone: input.timeZone,
    users,
    daily,
    funnel,
    invitations: { read: shown(get(field.invitationRead)), notInvite: shown(get(field.invitationNotInvite)) },
    verdicts: row(VERDICTS, (v) => get(field.verdict(v))),
    meetingModes: Object.fromEntries(VERDICTS.map((v) => [v, row(input.modes, (m) => get(field.mode(v, m)))])) as Record<Verdict, Row<string>>,
    outcomes,
    followUpSkipped: shown(sum(VERDICTS.map((v) => field.followUp('skip', v)))),
    reminders: { ...reminderRow(REMINDER_KINDS), byKind: REMINDER_KINDS.map((kind) => ({ kind, ...reminderRow([kind]) })) },
    broadcasts: broadcastRows(totals),
    handoffs: handoffSummary(totals),
  };
}

export type InsightsReport = ReturnType<typeof buildReport>;

/** Per broadcast counted in the period: its counters, keyed `broadcast.<id>.<count>`. */
function broadcastRows(totals: Record<string, number>) {
  const byId = new Map<string, Record<BroadcastCount, number>>();
  for (const [key, n] of Object.entries(totals)) {
    if (!key.startsWith(field.broadcastPrefix)) continue;
    const dot = key.lastIndexOf('.');
    const id = key.slice(field.broadcastPrefix.length, dot);
    const count = key.slice(dot + 1) as BroadcastCount;
    if (!BROADCAST_COUNTS.includes(count)) continue;
    const entry = byId.get(id) ?? { recipients: 0, sent: 0, failed: 0, skipped: 0, optOuts: 0 };
    entry[count] += n;
    byId.set(id, entry);
  }
  return [...byId].map(([id, c]) => ({
    id,
    recipients: shown(c.recipients),
    sent: shown(c.sent),
    failed: shown(c.failed),
    skipped: shown(c.skipped),
    optOuts: shown(c.optOuts),
  }));
}

function handoffSummary(totals: Record<string, number>) {
  const prefix = field.handoffAnswerPrefix;
  const histogram = Object.entries(totals)
    .filter(([key]) => key.startsWith(prefix))
    .map(([key, n]) => [Number(key.slice(prefix.length)), n] as const)
    .sort((a, b) => a[0] - b[0]);
  const answered = histogram.reduce((acc, [, n]) => acc + n, 0);
  return {
    requests: shown(totals[field.handoffRequested] ?? 0),
    answered: shown(answered),
    medianMinutesToFirstAnswer: answered >= MIN_GROUP ? median(histogram, answered) : null,
    overdue: shown(totals[field.handoffOverdue] ?? 0),
  };
}

/** The median of a histogram of whole minutes (the lower middle value for an even count). */
function median(histogram: readonly (readonly [number, number])[], count: number): number {
  const middle = Math.ceil(count / 2);
  let seen = 0;
  for (const [minutes, n] of histogram) {
    seen += n;
    if (seen >= middle) return minutes;
  }
  return histogram.at(-1)?.[0] ?? 0;
}
