/**
 * A filter's exact audience counts from the store's audience index (per-bucket counters
 * kept with every user update) instead of a walk over every user: the same rules as
 * `classify`, applied to buckets. Pure; the staff's preview uses it once the index is built.
 */
import type { Locale } from '../../conversation/types.ts';
import type { AudienceBucket, MeetingWindow } from '../../store/audience-index.ts';
import { emptyCounts, localeOf, type AudienceCounts, type AudienceFilter, type BroadcastChannel } from './filter.ts';

const DAY_MS = 86_400_000;

/** The meeting window a filter needs counted: upcoming from now, and up to N days ahead when asked. */
export function meetingWindow(filter: AudienceFilter, now: Date): MeetingWindow {
  const from = now.getTime();
  return filter.meetingWithinDays !== undefined ? { from, until: from + filter.meetingWithinDays * DAY_MS } : { from };
}

/** Users of a bucket the filter's meeting conditions select. */
function selected(bucket: AudienceBucket, filter: AudienceFilter): number {
  if (filter.meetingWithinDays !== undefined) return filter.hasMeeting === false ? 0 : bucket.within;
  if (filter.hasMeeting === true) return bucket.upcoming;
  if (filter.hasMeeting === false) return bucket.users - bucket.upcoming;
  return bucket.users;
}

/** Adds one channel's buckets to `counts` (mutates). */
export function tallyBuckets(counts: AudienceCounts, channel: BroadcastChannel, buckets: readonly AudienceBucket[], filter: AudienceFilter, fallbackLocale: Locale): void {
  for (const bucket of buckets) {
    const locale = localeOf({ locale: bucket.locale as Locale }, fallbackLocale);
    if (filter.locales && !filter.locales.includes(locale)) continue;
    if (filter.verdicts && !(filter.verdicts as readonly string[]).includes(bucket.verdict ?? '')) continue;
    const n = selected(bucket, filter);
    if (n === 0) continue;
    if (bucket.exclusion) counts.excluded[bucket.exclusion] += n;
    else {
      counts.total += n;
      counts.byChannel[channel][locale] += n;
    }
  }
}

export function countsFromBuckets(perChannel: Partial<Record<BroadcastChannel, readonly AudienceBucket[]>>, filter: AudienceFilter, fallbackLocale: Locale): AudienceCounts {
  const counts = emptyCounts();
  for (const [channel, buckets] of Object.entries(perChannel) as [BroadcastChannel, AudienceBucket[]][]) tallyBuckets(counts, channel, buckets, filter, fallbackLocale);
  return counts;
}
