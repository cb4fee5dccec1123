/**
 * A conversation worker: holds a fair share of the inbox's partitions (leases renewed on a
 * heartbeat; shares follow the number of live workers), reads each partition in order and
 * hands every entry to its channel. Per partition, a batch runs its users in parallel and
 * each user's entries one after another; handled entries are acknowledged, a failed one
 * and the rest of its user's entries stay pending and are read again first, so a user's
 * order survives failures and crashes (another worker takes the lease over and claims the
 * pending entries with XAUTOCLAIM).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Channel } from '../conversation/types.ts';
import type { PartitionReader, RedisInbox } from '../store/inbox.ts';
import type { InboxEntry, InboxHandler } from './types.ts';

export interface InboxWorkerOptions {
  inbox: RedisInbox;
  handlers: Partial<Record<Channel, InboxHandler>>;
  logger: Logger;
  /** A partition's lease; a dead worker's partitions are taken over after this long. */
  leaseMs: number;
  /** Entries read at once from a partition. */
  batchSize?: number;
  /** Tries of one entry before it is dropped with an error log (a poison entry must not stop its partition). */
  maxAttempts?: number;
  /**
   * True while Redis is away: failures then are the outage's, logged once for the process
   * (observability/redis-events.ts), so the worker's own go to debug.
   */
  redisAway?: () => boolean;
  /** Counts handled entries (metrics). */
  onHandled?: (entry: InboxEntry, outcome: 'done' | 'dropped') => void;
}

export class InboxWorker {
  readonly id = `worker-${randomUUID().slice(0, 12)}`;
  private readonly options: InboxWorkerOptions;
  private readonly loops = new Map<number, PartitionLoop>();
  /** Partitions being handed back: their batch finishes under a lease still renewed. */
  private readonly draining = new Map<number, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(options: InboxWorkerOptions) {
    this.options = options;
  }

  /** Takes its share at once, then keeps it on a heartbeat (a third of the lease). */
  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => {
      this.beating = this.beating.then(() => this.beat());
    }, Math.max(50, Math.floor(this.options.leaseMs / 3)));
  }

  /** Partitions held now (tests, readiness). */
  get held(): number[] {
    return [...this.loops.keys()];
  }

  /** Resolves once the inbox is empty: every accepted entry handled (tests, benchmarks). */
  async settled(pollMs = 2): Promise<void> {
    while ((await this.options.inbox.depth()) > 0) await sleep(pollMs);
  }

  /** Finishes the batches in hand, gives the leases back and leaves. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.beating;
    for (const p of [...this.loops.keys()]) this.drop(p, true);
    await Promise.all([...this.draining.values()]);
    await this.options.inbox.leave(this.id).catch(() => undefined);
  }

  private async beat(): Promise<void> {
    if (this.stopped) return;
    const { inbox, leaseMs, logger } = this.options;
    try {
      const live = await inbox.heartbeat(this.id, leaseMs);
      for (const p of [...this.loops.keys(), ...this.draining.keys()]) {
        if (!(await inbox.renew(p, this.id, leaseMs)) && this.loops.has(p)) {
          logger.info({ partition: p }, 'inbox lease lost; another worker has the partition');
          this.drop(p, false);
        }
      }
      const share = Math.ceil(inbox.partitions / Math.max(1, live));
      // Too many (a worker joined): hand the last ones back for it to take.
      for (const p of [...this.loops.keys()].slice(share)) this.drop(p, true);
      const start = Math.floor(Math.random() * inbox.partitions);
      for (let i = 0; i < inbox.partitions && this.loops.size < share && !this.stopped; i++) {
        const p = (start + i) % inbox.partitions;
        if (this.loops.has(p) || this.draining.has(p) || !(await inbox.acquire(p, this.id, leaseMs))) continue;
        const moved = await inbox.takeOver(p, this.id);
        if (moved) logger.info({ partition: p, entries: moved }, 'inbox partition taken over with entries in progress');
        const loop = new PartitionLoop(p, inbox.reader(p, this.id), this.options, {
          holds: () => inbox.holds(p, this.id),
          adopt: () => inbox.takeOver(p, this.id),
        });
        this.loops.set(p, loop);
        loop.run();
      }
    } catch (error) {
      failed(this.options, { error: (error as Error).message }, 'inbox heartbeat failed; retrying');
    }
  }

  /** Stops a partition's loop without holding up the heartbeat; the lease is renewed until it is released. */
  private drop(partition: number, release: boolean): void {
    const loop = this.loops.get(partition);
    if (!loop) return;
    this.loops.delete(partition);
    const drained = loop
      .stop()
      .then(() => (release ? this.options.inbox.release(partition, this.id) : undefined))
      .catch(() => undefined)
      .finally(() => this.draining.delete(partition));
    this.draining.set(partition, drained);
  }
}

interface LeaseChecks {
  holds(): Promise<boolean>;
  adopt(): Promise<number>;
}

/** Reads one partition until stopped. */
class PartitionLoop {
  private stopped = false;
  private done: Promise<void> = Promise.resolve();
  /**
   * Resolves on stop. Reads race it: a read queued on a connection that is reconnecting is
   * not failed by `disconnect()` (ioredis keeps it queued), so waiting for it could hang.
   */
  private readonly stopping: Promise<never[]>;
  private signalStop!: () => void;
  private readonly attempts = new Map<string, number>();
  private readonly partition: number;
  private readonly reader: PartitionReader;
  private readonly options: InboxWorkerOptions;

  private readonly lease: LeaseChecks;
  private adopted = Date.now();
  /**
   * False only while this consumer is known to have nothing pending (its last batch read as
   * new was all acknowledged), so the read of pending entries, a round trip, is skipped.
   */
  private mayHavePending = true;

  constructor(partition: number, reader: PartitionReader, options: InboxWorkerOptions, lease: LeaseChecks) {
    this.partition = partition;
    this.reader = reader;
    this.options = options;
    this.lease = lease;
    this.stopping = new Promise((resolve) => (this.signalStop = () => resolve([])));
  }

  run(): void {
    this.done = this.loop().finally(() => this.reader.close());
  }

  /** Lets the batch in hand finish; a read in progress is abandoned at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.signalStop();
    await this.done;
  }

  /** A Redis call the loop waits for, given up on when the loop stops. */
  private until<T>(call: Promise<T>): Promise<T | never[]> {
    call.catch(() => undefined);
    return Promise.race([call, this.stopping]);
  }

  private async loop(): Promise<void> {
    const batchSize = this.options.batchSize ?? 20;
    while (!this.stopped) {
      try {
        // A worker that read after its lease ran out left entries pending under its name: take them.
        if (Date.now() - this.adopted > this.options.leaseMs) {
          this.adopted = Date.now();
          this.mayHavePending = true;
          await this.until(this.lease.adopt());
        }
        let entries: InboxEntry[] = [];
        if (this.mayHavePending) {
          entries = (await this.until(this.reader.pending(batchSize))) as InboxEntry[];
          this.mayHavePending = entries.length > 0;
        }
        const readPending = entries.length > 0;
        if (!entries.length && !this.stopped) entries = (await this.until(this.reader.next(batchSize, 1000))) as InboxEntry[];
        if (!entries.length || this.stopped) continue;
        // Until handled and acknowledged, what was read is pending.
        this.mayHavePending = true;
        // A lease that ran out (a stalled process) belongs to another worker now: its entries are theirs.
        if ((await this.until(this.lease.holds())) !== true) return;
        const failed = await this.handle(entries);
        // Every entry of a batch read as new was acknowledged: the next read need not ask for pending ones first.
        if (!failed && !readPending) this.mayHavePending = false;
        // Give a failing store or platform a moment before the pending entries are read again.
        if (failed) await sleep(Math.min(2000, 50 * 2 ** failed));
      } catch (error) {
        this.mayHavePending = true;
        if (this.stopped) return;
        failed(this.options, { partition: this.partition, error: (error as Error).message }, 'inbox read failed; retrying');
        await sleep(500);
      }
    }
  }

  /** Handles a batch; answers the highest attempt count among entries that failed (0: none). */
  private async handle(entries: InboxEntry[]): Promise<number> {
    const byKey = new Map<string, InboxEntry[]>();
    for (const entry of entries) byKey.set(entry.key, [...(byKey.get(entry.key) ?? []), entry]);
    const outcomes = await Promise.all([...byKey.values()].map((own) => this.inOrder(own)));
    await this.reader.done(outcomes.flatMap((o) => o.done));
    return Math.max(0, ...outcomes.map((o) => o.failedAttempts));
  }

  private async inOrder(entries: InboxEntry[]): Promise<{ done: string[]; failedAttempts: number }> {
    const { handlers, logger, onHandled } = this.options;
    const done: string[] = [];
    for (const entry of entries) {
      const handler = handlers[entry.channel];
      try {
        if (!handler) throw new Error(`no handler for channel ${entry.channel}`);
        await handler(entry);
        this.attempts.delete(entry.id);
        done.push(entry.id);
        onHandled?.(entry, 'done');
      } catch (error) {
        const attempts = (this.attempts.get(entry.id) ?? 0) + 1;
        if (attempts < (this.options.maxAttempts ?? 5)) {
          this.attempts.set(entry.id, attempts);
          logger.warn({ partition: this.partition, channel: entry.channel, attempts, error: (error as Error).message }, 'inbox entry failed; will try again');
          // The user's later entries wait for this one.
          return { done, failedAttempts: attempts };
        }
        this.attempts.delete(entry.id);
        logger.error({ partition: this.partition, channel: entry.channel, attempts, error: (error as Error).message }, 'inbox entry dropped after repeated failures');
        done.push(entry.id);
        onHandled?.(entry, 'dropped');
      }
    }
    return { done, failedAttempts: 0 };
  }
}

function failed(options: InboxWorkerOptions, fields: Record<string, unknown>, message: string): void {
  if (options.redisAway?.()) options.logger.debug(fields, message);
  else options.logger.error(fields, message);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
