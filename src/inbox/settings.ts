/** The inbox as configured: partitions, depth per partition, how long accepted event ids are kept. */
import { INBOX_SEEN_TTL_SECONDS } from '../channels/event-claims.ts';
import type { Config } from '../config.ts';
import type { RedisInboxOptions } from '../store/inbox.ts';

export function inboxSettings(config: Pick<Config, 'INBOX_PARTITIONS' | 'INBOX_MAX_DEPTH'>, name?: string): RedisInboxOptions {
  return {
    ...(name ? { name } : {}),
    partitions: config.INBOX_PARTITIONS,
    // Users spread evenly over partitions; a hot partition is refused before the others.
    maxDepthPerPartition: Math.ceil(config.INBOX_MAX_DEPTH / config.INBOX_PARTITIONS),
    seenTtlSeconds: INBOX_SEEN_TTL_SECONDS,
  };
}
