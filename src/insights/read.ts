/** The report for a period, read from the daily counters (one round trip for all its days). */
import type { Flow } from '../conversation/flow-schema.ts';
import { LOCALES } from '../conversation/types.ts';
import type { InsightsCounters } from '../store/insights.ts';
import { MODE_QUESTION } from './fields.ts';
import { choicesOf, funnelQuestions } from './funnel.ts';
import { periodDays } from './period.ts';
import { buildReport, type InsightsReport } from './report.ts';

export interface InsightsSource {
  counters: InsightsCounters;
  flow: Flow;
  timeZone: string;
  /** The channels shown (those configured here). */
  channels: readonly string[];
  clock?: () => Date;
}

export async function readInsights(source: InsightsSource, days: number): Promise<InsightsReport> {
  const now = (source.clock ?? (() => new Date()))();
  const dates = periodDays(now, source.timeZone, days);
  return buildReport({
    days: dates,
    buckets: await source.counters.read(dates),
    timeZone: source.timeZone,
    channels: source.channels,
    locales: LOCALES,
    questions: funnelQuestions(source.flow),
    modes: choicesOf(source.flow, MODE_QUESTION),
  });
}
