/**
 * The audit log: every change staff make (create, cancel) with who, what, which and when.
 * Kept in a capped Redis stream, so it survives restarts and is shared by all instances,
 * and written as a pino line too, so it reaches whatever collects the logs.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

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

export class AuditLog {
  private readonly redis: Redis;
  private readonly key: string;
  private readonly logger: Logger;
  private readonly clock: () => Date;

  constructor(options: { redis: Redis; key: string; logger: Logger; clock?: () => Date }) {
    this.redis = options.redis;
    this.key = options.key;
    this.logger = options.logger;
    this.clock = options.clock ?? (() => new Date());
  }

  async record(entry: Omit<AuditEntry, 'at'>): Promise<void> {
    const at = this.clock().toISOString();
    const fields = ['at', at, 'staff', entry.staff, 'action', entry.action, 'target', entry.target];
    if (entry.detail) fields.push('detail', JSON.stringify(entry.detail));
    await this.redis.xadd(this.key, 'MAXLEN', '~', String(MAX_ENTRIES), '*', ...fields);
    this.logger.info({ audit: true, at, staff: entry.staff, action: entry.action, target: entry.target, ...(entry.detail ? { detail: entry.detail } : {}) }, 'staff action');
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
