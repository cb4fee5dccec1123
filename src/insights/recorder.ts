/**
 * Adds to the insights counters as things happen: conversation steps (their effects), the
 * reminder and broadcast workers, and advisor handoffs. Each call is one update of the
 * day's bucket in the deployment's time zone. Counting is a side show: a failure is logged
 * and never fails the step, the reminder or the broadcast it was counting.
 */
import { DateTime } from 'luxon';
import type { Logger } from 'pino';
import type { PlannedReminder, ReminderKind } from '../conversation/reminder-plan.ts';
import type { Session } from '../conversation/session.ts';
import type { SideEffect, UserRef } from '../conversation/types.ts';
import type { Counts, InsightsCounters, InsightsUpdate } from '../store/insights.ts';
import { effectCounts } from './effect-counts.ts';
import { field, type ReminderSkip } from './fields.ts';
import { dayOf } from './period.ts';

export type ReminderResult = 'sent' | 'failed' | ReminderSkip;

export interface ChunkCounts {
  sent: number;
  failed: number;
  skipped: number;
}

/** What the advisor handoff reports (src/handoff calls these). */
export interface HandoffInsights {
  handoffRequested(): Promise<void>;
  /** A staff member answered for the first time; `requestedAt` is when the user asked. */
  handoffFirstAnswer(requestedAt: Date): Promise<void>;
  handoffOverdue(): Promise<void>;
}

export interface InsightsRecorderOptions {
  counters: InsightsCounters;
  timeZone: string;
  logger: Logger;
  clock?: () => Date;
}

export class InsightsRecorder implements HandoffInsights {
  private readonly options: InsightsRecorderOptions;
  private readonly clock: () => Date;
  /** The local day last counted in and the instants it spans: luxon's zone arithmetic was 4% of a worker's CPU when done per event. */
  private day: { key: string; from: number; until: number } | undefined;

  constructor(options: InsightsRecorderOptions) {
    this.options = options;
    this.clock = options.clock ?? (() => new Date());
  }

  /** A conversation step's effects, counted in one update. */
  async step(user: UserRef, effects: readonly SideEffect[], session: Session | null): Promise<void> {
    const { counts, optedOut } = effectCounts(user, effects, session);
    const now = this.clock();
    await this.add(
      counts,
      optedOut ? { attributeOptOut: { channel: user.channel, at: now, fieldPrefix: field.broadcastPrefix, fieldSuffix: field.optOutsSuffix } } : {},
      now,
    );
  }

  /** Reminder jobs newly put on the schedule. */
  async remindersPlanned(reminders: readonly PlannedReminder[]): Promise<void> {
    const counts: Record<string, number> = {};
    for (const r of reminders) counts[field.reminderPlanned(r.kind)] = (counts[field.reminderPlanned(r.kind)] ?? 0) + 1;
    await this.add(counts);
  }

  /** What became of a reminder that came due (sent, skipped and why, or failed for good). */
  async reminderDone(kind: ReminderKind, result: ReminderResult): Promise<void> {
    const key = result === 'sent' ? field.reminderSent(kind) : result === 'failed' ? field.reminderFailed(kind) : field.reminderSkipped(result, kind);
    await this.add({ [key]: 1 });
  }

  /** A broadcast's audience was frozen and sending starts: its recipients, and the channels opt-outs are watched on. */
  async broadcastStarted(id: string, channels: readonly string[], recipients: number): Promise<void> {
    const at = this.clock();
    await this.add({ [field.broadcast(id, 'recipients')]: recipients }, { rememberBroadcast: { id, channels, at } }, at);
  }

  /** One chunk's outcome, counted once (the broadcast store says when it is the first time). */
  async broadcastChunk(id: string, outcome: ChunkCounts): Promise<void> {
    await this.add({
      [field.broadcast(id, 'sent')]: outcome.sent,
      [field.broadcast(id, 'failed')]: outcome.failed,
      [field.broadcast(id, 'skipped')]: outcome.skipped,
    });
  }

  async handoffRequested(): Promise<void> {
    await this.add({ [field.handoffRequested]: 1 });
  }

  async handoffFirstAnswer(requestedAt: Date): Promise<void> {
    const now = this.clock();
    await this.add({ [field.handoffAnswerMinutes((now.getTime() - requestedAt.getTime()) / 60_000)]: 1 }, {}, now);
  }

  async handoffOverdue(): Promise<void> {
    await this.add({ [field.handoffOverdue]: 1 });
  }

  private async add(counts: Counts, update: InsightsUpdate = {}, at = this.clock()): Promise<void> {
    try {
      await this.options.counters.add(this.dayOf(at), counts, update);
    } catch (error) {
      this.options.logger.warn({ err: error, counters: Object.keys(counts) }, 'insights counters not updated');
    }
  }

  /** `dayOf` in the deployment's time zone, worked out once per local day. */
  private dayOf(at: Date): string {
    const t = at.getTime();
    if (!this.day || t < this.day.from || t >= this.day.until) {
      const start = DateTime.fromJSDate(at, { zone: this.options.timeZone }).startOf('day');
      // startOf again: where a day starts after 00:00 (a DST jump at midnight), its first instant.
      this.day = { key: dayOf(at, this.options.timeZone), from: start.toMillis(), until: start.plus({ days: 1 }).startOf('day').toMillis() };
    }
    return this.day.key;
  }
}
