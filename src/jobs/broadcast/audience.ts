/**
 * Walks every user of the filter's channels once, classifying each: the one scan behind
 * both the staff's preview and the freeze. A set SCAN may return a member twice (while
 * Redis rehashes), so each candidate is first added to a scratch set on Redis and counted
 * only if it was new there: exact counts and no double send, in constant process memory.
 */
import type { Locale } from '../../conversation/types.ts';
import { BROADCAST_CHANNELS, classify, emptyCounts, localeOf, tally, type AudienceCounts, type AudienceFilter, type AudienceUser, type BroadcastChannel } from './filter.ts';
import type { AudienceSource } from '../../store/audience-reader.ts';

export interface Recipient {
  channel: BroadcastChannel;
  id: string;
  locale: Locale;
}

export interface AudienceScan {
  users: AudienceSource;
  filter: AudienceFilter;
  now: Date;
  fallbackLocale: Locale;
  /** Says, for each `channel:id`, whether it is seen for the first time in this scan. */
  firstSeen: (members: string[]) => Promise<boolean[]>;
  /** Receives the included users of each batch, in scan order. */
  onInclude?: (recipients: Recipient[]) => Promise<void>;
  signal?: AbortSignal;
  batchSize?: number;
}

export async function scanAudience(scan: AudienceScan): Promise<AudienceCounts> {
  const counts = emptyCounts();
  const channels = scan.filter.channels ?? BROADCAST_CHANNELS;
  for (const channel of channels) {
    for await (const batch of scan.users.scan(channel, scan.batchSize ?? 1000)) {
      scan.signal?.throwIfAborted();
      const candidates: { user: AudienceUser; verdict: ReturnType<typeof classify> }[] = [];
      for (const user of batch) {
        const verdict = classify(user, scan.filter, scan.now, scan.fallbackLocale);
        if (verdict !== 'outside') candidates.push({ user, verdict });
      }
      const fresh = await scan.firstSeen(candidates.map(({ user }) => `${user.channel}:${user.id}`));
      const included: Recipient[] = [];
      for (const [i, { user, verdict }] of candidates.entries()) {
        if (!fresh[i]) continue;
        tally(counts, user, verdict, scan.fallbackLocale);
        if (verdict === 'include') included.push({ channel, id: user.id, locale: localeOf(user, scan.fallbackLocale) });
      }
      if (included.length && scan.onInclude) await scan.onInclude(included);
    }
  }
  return counts;
}
