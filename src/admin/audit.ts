/**
 * The audit log: every change staff make (create, cancel) with who, what, which and when.
 * Kept by the store (a capped Redis stream) and written as a pino line too, so it reaches
 * whatever collects the logs.
 */
import type { Logger } from 'pino';
import type { AuditEntry, AuditStore } from '../store/audit-store.ts';

export class AuditLog {
  private readonly store: AuditStore;
  private readonly logger: Logger;
  private readonly clock: () => Date;

  constructor(options: { store: AuditStore; logger: Logger; clock?: () => Date }) {
    this.store = options.store;
    this.logger = options.logger;
    this.clock = options.clock ?? (() => new Date());
  }

  async record(entry: Omit<AuditEntry, 'at'>): Promise<void> {
    const at = this.clock().toISOString();
    await this.store.append({ at, ...entry });
    this.logger.info({ audit: true, at, staff: entry.staff, action: entry.action, target: entry.target, ...(entry.detail ? { detail: entry.detail } : {}) }, 'staff action');
  }

  /** Newest first. */
  recent(limit: number): Promise<AuditEntry[]> {
    return this.store.recent(limit);
  }
}
