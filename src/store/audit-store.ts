/**
 * The staff audit log on Redis: a capped stream, so it survives restarts and is shared by
 * every instance.
 */
import type { RedisClient } from './redis-connection.ts';

export interface AuditEntry {
  at: string;
  staff: string;
  action: string;
  /** What was acted on, e.g. a broadcast id. */
  target: string;
  detail?: Record<string, unknown>;
}

/** Roughly this many entries are kept (XADD MAXLEN ~). */
const MAX_ENTRIES = 100_000;

export class AuditStore {
  private readonly redis: RedisClient;
  private readonly key: string;

  constructor(redis: RedisClient, key: string) {
    this.redis = redis;
    this.key = key;
  }

  async append(entry: AuditEntry): Promise<void> {
    const fields = ['at', entry.at, 'staff', entry.staff, 'action', entry.action, 'target', entry.target];
    if (entry.detail) fields.push('detail', JSON.stringify(entry.detail));
    await this.redis.xadd(this.key, 'MAXLEN', '~', String(MAX_ENTRIES), '*', ...fields);
  }

  /** Newest first. */
  async recent(limit: number): Promise<AuditEntry[]> {
    const rows = await this.redis.xrevrange(this.key, '+', '-', 'COUNT', limit);
    return rows.map(([, flat]) => {
      const fields: Record<string, string> = {};
      for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
      return {
        at: fields.at ?? '',
        staff: fields.staff ?? '',
        action: fields.action ?? '',
        target: fields.target ?? '',
        ...(fields.detail ? { detail: JSON.parse(fields.detail) as Record<string, unknown> } : {}),
      };
    });
  }
}
