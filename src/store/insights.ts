/**
 * Insights counters: one hash per day (in the deployment's time zone) of metric -> count,
 * kept 400 days. Counts are added as things happen (effects, workers), never computed by
 * scanning users, and hold no personal data: field names are made of channels, languages,
 * questions, verdicts, reminder kinds and broadcast ids only.
 *
 * Every update is one script call (one round trip). Two updates need a little more than
 * HINCRBY: a broadcast that starts sending is remembered for a day, and an opt-out adds one
 * to each broadcast sent on the user's channel in the 24 hours before it.
 */
import type { RedisClient } from './redis-connection.ts';
import type { RedisKeys } from './keys.ts';

export type Counts = Readonly<Record<string, number>>;

/** How long a day's counters are kept. */
export const INSIGHTS_RETENTION_DAYS = 400;
const RETENTION_SECONDS = INSIGHTS_RETENTION_DAYS * 86_400;
/** An opt-out counts against the broadcasts sent this long before it. */
export const OPT_OUT_WINDOW_MS = 24 * 3_600_000;

export interface BroadcastStart {
  id: string;
  channels: readonly string[];
  at: Date;
}

export interface OptOutAttribution {
  channel: string;
  at: Date;
  /** The counter of one broadcast's opt-outs is `${fieldPrefix}${id}${fieldSuffix}`. */
  fieldPrefix: string;
  fieldSuffix: string;
}

export interface InsightsUpdate {
  rememberBroadcast?: BroadcastStart;
  attributeOptOut?: OptOutAttribution;
}

export interface InsightsCounters {
  /** Adds `counts` to the bucket of `day` (YYYY-MM-DD), in one round trip. */
  add(day: string, counts: Counts, update?: InsightsUpdate): Promise<void>;
  /** The buckets of these days, in the same order (empty for a day with nothing counted). */
  read(days: readonly string[]): Promise<Record<string, number>[]>;
}

/**
 * KEYS[1] the day's hash, KEYS[2] the recent-broadcasts sorted set (member `id|ch1,ch2`).
 * ARGV: ttl seconds, window ms, mode ('' | 'remember' | 'optout'), now ms, mode argument
 * (the member to remember, or the opt-out's channel), field prefix, field suffix, then
 * field/increment pairs.
 */
const ADD = `
for i = 8, #ARGV, 2 do redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) end
local now = tonumber(ARGV[4])
if ARGV[3] == 'remember' then
  redis.call('ZADD', KEYS[2], now, ARGV[5])
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[2]))
  redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[2]) * 2)
elseif ARGV[3] == 'optout' then
  for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], now - tonumber(ARGV[2]), now)) do
    local sep = string.find(member, '|', 1, true)
    local channels = ',' .. string.sub(member, sep + 1) .. ','
    if string.find(channels, ',' .. ARGV[5] .. ',', 1, true) then
      redis.call('HINCRBY', KEYS[1], ARGV[6] .. string.sub(member, 1, sep - 1) .. ARGV[7], 1)
    end
  end
end
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return 1
`;

type InsightsRedis = RedisClient & {
  insightsAdd(day: string, recent: string, ...args: (string | number)[]): Promise<number>;
};

const memberOf = (b: BroadcastStart) => `${b.id}|${b.channels.join(',')}`;

export class RedisInsights implements InsightsCounters {
  private readonly redis: InsightsRedis;
  private readonly keys: RedisKeys;

  constructor(redis: RedisClient, keys: RedisKeys) {
    this.redis = redis as InsightsRedis;
    this.keys = keys;
    this.redis.defineCommand('insightsAdd', { numberOfKeys: 2, lua: ADD });
  }

  async add(day: string, counts: Counts, update: InsightsUpdate = {}): Promise<void> {
    const pairs = Object.entries(counts).filter(([, n]) => n !== 0).flat();
    const { rememberBroadcast: remember, attributeOptOut: optOut } = update;
    if (pairs.length === 0 && !remember && !optOut) return;
    const mode = remember ? 'remember' : optOut ? 'optout' : '';
    const at = remember?.at ?? optOut?.at;
    await this.redis.insightsAdd(
      this.keys.insightsDay(day),
      this.keys.insightsRecentBroadcasts,
      RETENTION_SECONDS,
      OPT_OUT_WINDOW_MS,
      mode,
      at ? at.getTime() : 0,
      remember ? memberOf(remember) : (optOut?.channel ?? ''),
      optOut?.fieldPrefix ?? '',
      optOut?.fieldSuffix ?? '',
      ...pairs,
    );
  }

  async read(days: readonly string[]): Promise<Record<string, number>[]> {
    if (days.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const day of days) pipeline.hgetall(this.keys.insightsDay(day));
    const results = (await pipeline.exec()) ?? [];
    return results.map(([error, hash]) => {
      if (error) throw error;
      return Object.fromEntries(Object.entries(hash as Record<string, string>).map(([k, v]) => [k, Number(v)]));
    });
  }
}

/** The same counters in process memory (`npm run chat`, which keeps nothing across runs). */
export class MemoryInsights implements InsightsCounters {
  private readonly days = new Map<string, Map<string, number>>();
  private recent: { member: BroadcastStart; at: number }[] = [];

  async add(day: string, counts: Counts, update: InsightsUpdate = {}): Promise<void> {
    const bucket = this.days.get(day) ?? new Map<string, number>();
    const bump = (field: string, n: number) => bucket.set(field, (bucket.get(field) ?? 0) + n);
    for (const [field, n] of Object.entries(counts)) if (n !== 0) bump(field, n);
    const { rememberBroadcast: remember, attributeOptOut: optOut } = update;
    if (remember) {
      const at = remember.at.getTime();
      this.recent = [...this.recent.filter((r) => r.at > at - OPT_OUT_WINDOW_MS), { member: remember, at }];
    }
    if (optOut) {
      const at = optOut.at.getTime();
      for (const r of this.recent) {
        if (r.at >= at - OPT_OUT_WINDOW_MS && r.at <= at && r.member.channels.includes(optOut.channel)) {
          bump(`${optOut.fieldPrefix}${r.member.id}${optOut.fieldSuffix}`, 1);
        }
      }
    }
    if (bucket.size) this.days.set(day, bucket);
  }

  async read(days: readonly string[]): Promise<Record<string, number>[]> {
    return days.map((day) => Object.fromEntries(this.days.get(day) ?? []));
  }
}
