/**
 * Who a broadcast reaches: the staff's filter, the exclusions that always apply, and the
 * counts the staff see before sending. Pure: the same rules serve the preview, the freeze
 * and the last check before each send.
 */
import { z } from 'zod';
import { LOCALES, VERDICTS, type Locale } from '../../conversation/types.ts';
import type { UserRecord } from '../../store/types.ts';

/** The parts of a user record audiences look at. */
export type AudienceUser = Pick<UserRecord, 'channel' | 'id' | 'locale' | 'optedOut' | 'blocked' | 'unreachable' | 'verdict' | 'meetingAt'>;

export const BROADCAST_CHANNELS = ['line', 'slack'] as const;
export type BroadcastChannel = (typeof BROADCAST_CHANNELS)[number];

export const audienceFilterSchema = z
  .strictObject({
    channels: z.array(z.enum(BROADCAST_CHANNELS)).min(1).optional().describe('Only these channels (default: every enabled one).'),
    locales: z.array(z.enum(LOCALES)).min(1).optional().describe("Only users speaking these languages."),
    verdicts: z.array(z.enum(VERDICTS)).min(1).optional().describe('Only users whose diagnosis ended in one of these verdicts.'),
    meetingWithinDays: z.int().min(1).max(365).optional().describe('Only users whose meeting is between now and this many days ahead.'),
    hasMeeting: z.boolean().optional().describe('true: only users with an upcoming meeting; false: only users without one.'),
  })
  .describe('Every field narrows the audience; an absent field does not.');

export type AudienceFilter = z.infer<typeof audienceFilterSchema>;

/** Why a user who fits the filter still gets nothing; checked in this order. */
export const EXCLUSIONS = ['blocked', 'unreachable', 'optedOut'] as const;
export type Exclusion = (typeof EXCLUSIONS)[number];

/** `outside`: the filter does not select the user at all. */
export type Classification = 'include' | 'outside' | Exclusion;

export function isBroadcastChannel(channel: string): channel is BroadcastChannel {
  return (BROADCAST_CHANNELS as readonly string[]).includes(channel);
}

/** A record with a language we do not speak (older data) is addressed in the default one. */
export function localeOf(user: Pick<AudienceUser, 'locale'>, fallback: Locale): Locale {
  return (LOCALES as readonly string[]).includes(user.locale) ? user.locale : fallback;
}

const DAY_MS = 86_400_000;

function upcomingMeeting(user: AudienceUser, now: Date): number | undefined {
  if (!user.meetingAt) return undefined;
  const at = Date.parse(user.meetingAt);
  return Number.isNaN(at) || at < now.getTime() ? undefined : at;
}

export function classify(user: AudienceUser, filter: AudienceFilter, now: Date, fallbackLocale: Locale = 'ja'): Classification {
  if (!isBroadcastChannel(user.channel)) return 'outside';
  if (filter.channels && !filter.channels.includes(user.channel)) return 'outside';
  if (filter.locales && !filter.locales.includes(localeOf(user, fallbackLocale))) return 'outside';
  if (filter.verdicts && (!user.verdict || !filter.verdicts.includes(user.verdict))) return 'outside';
  const meeting = upcomingMeeting(user, now);
  if (filter.hasMeeting !== undefined && filter.hasMeeting !== (meeting !== undefined)) return 'outside';
  if (filter.meetingWithinDays !== undefined && (meeting === undefined || meeting - now.getTime() > filter.meetingWithinDays * DAY_MS)) {
    return 'outside';
  }
  if (user.blocked) return 'blocked';
  if (user.unreachable) return 'unreachable';
  if (user.optedOut) return 'optedOut';
  return 'include';
}

/** What a broadcast would reach: exact counts by channel and language, and who is left out and why. */
export interface AudienceCounts {
  total: number;
  byChannel: Record<BroadcastChannel, Record<Locale, number>>;
  /** Users the filter selects who are left out, by the first reason that applies. */
  excluded: Record<Exclusion, number>;
}

const zeroLocales = (): Record<Locale, number> => Object.fromEntries(LOCALES.map((l) => [l, 0])) as Record<Locale, number>;

export function emptyCounts(): AudienceCounts {
  return {
    total: 0,
    byChannel: Object.fromEntries(BROADCAST_CHANNELS.map((c) => [c, zeroLocales()])) as AudienceCounts['byChannel'],
    excluded: Object.fromEntries(EXCLUSIONS.map((e) => [e, 0])) as Record<Exclusion, number>,
  };
}

/** Adds one classified user to the counts (mutates, for scans over millions). */
export function tally(counts: AudienceCounts, user: AudienceUser, classification: Classification, fallbackLocale: Locale = 'ja'): void {
  if (classification === 'outside' || !isBroadcastChannel(user.channel)) return;
  if (classification === 'include') {
    counts.total++;
    counts.byChannel[user.channel][localeOf(user, fallbackLocale)]++;
  } else counts.excluded[classification]++;
}
