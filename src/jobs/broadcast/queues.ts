/**
 * The broadcast queues on BullMQ: `broadcast-start` (one delayed job per broadcast: freeze
 * the audience when sending is due, then enqueue its chunks) and one queue per channel
 * (one job per chunk), so each channel is paced by its own rate limiter.
 *
 * Job ids are deterministic (`bc-<id>-start`, `bc-<id>-<channel>-<n>`): BullMQ ignores an
 * add whose id exists, so enqueueing again after a crash creates nothing twice.
 */
import { Queue, type JobsOptions } from 'bullmq';
import type { QueueConnection } from '../../store/redis-connection.ts';
import { chunkName, type ChunkCounts } from '../../store/broadcast-record.ts';
import { BROADCAST_CHANNELS, type BroadcastChannel } from './filter.ts';

export const BROADCAST_START_QUEUE = 'broadcast-start';
export const broadcastQueueName = (channel: BroadcastChannel): string => `broadcast-${channel}`;

export interface StartJobData {
  broadcastId: string;
}

export interface ChunkJobData {
  broadcastId: string;
  channel: BroadcastChannel;
  n: number;
}

export const startJobId = (id: string): string => `bc-${id}-start`;
export const chunkJobId = (id: string, channel: BroadcastChannel, n: number): string => `bc-${id}-${channel}-${n}`;

/** Retries of a chunk whose platform kept failing (5xx, network); rate limits do not use them up. */
export const CHUNK_ATTEMPTS = 6;

const START_OPTIONS: JobsOptions = {
  attempts: 20,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: { age: 7 * 86_400 },
  removeOnFail: { age: 30 * 86_400 },
};

const CHUNK_OPTIONS: JobsOptions = {
  attempts: CHUNK_ATTEMPTS,
  backoff: { type: 'exponential', delay: 2_000 },
  // A chunk's "done" marker, not its job, says it was sent; finished jobs need not stay.
  removeOnComplete: true,
  removeOnFail: { age: 7 * 86_400 },
};

const ADD_BATCH = 500;

export class BroadcastQueues {
  readonly start: Queue<StartJobData>;
  readonly chunks: Record<BroadcastChannel, Queue<ChunkJobData>>;

  constructor(common: QueueConnection) {
    this.start = new Queue<StartJobData>(BROADCAST_START_QUEUE, common);
    this.chunks = Object.fromEntries(
      BROADCAST_CHANNELS.map((channel) => [channel, new Queue<ChunkJobData>(broadcastQueueName(channel), common)]),
    ) as Record<BroadcastChannel, Queue<ChunkJobData>>;
  }

  async scheduleStart(id: string, delayMs: number): Promise<void> {
    await this.start.add('start', { broadcastId: id }, { ...START_OPTIONS, jobId: startJobId(id), delay: Math.max(0, delayMs) });
  }

  /** Enqueues every chunk not yet counted; returns how many jobs were added or already waiting. */
  async enqueueChunks(id: string, chunks: ChunkCounts, done: ReadonlySet<string>): Promise<number> {
    let enqueued = 0;
    for (const channel of BROADCAST_CHANNELS) {
      let batch: { name: string; data: ChunkJobData; opts: JobsOptions }[] = [];
      for (let n = 0; n < chunks[channel]; n++) {
        if (done.has(chunkName(channel, n))) continue;
        batch.push(this.chunkJob(id, channel, n));
        if (batch.length >= ADD_BATCH) {
          await this.chunks[channel].addBulk(batch);
          enqueued += batch.length;
          batch = [];
        }
      }
      if (batch.length) await this.chunks[channel].addBulk(batch);
      enqueued += batch.length;
    }
    return enqueued;
  }

  /** Enqueues these chunks (a freeze's step); a chunk whose job exists is not added again. */
  async enqueueList(id: string, chunks: readonly { channel: BroadcastChannel; n: number }[]): Promise<void> {
    for (const channel of BROADCAST_CHANNELS) {
      const mine = chunks.filter((c) => c.channel === channel);
      if (mine.length) await this.chunks[channel].addBulk(mine.map(({ n }) => this.chunkJob(id, channel, n)));
    }
  }

  private chunkJob(id: string, channel: BroadcastChannel, n: number): { name: string; data: ChunkJobData; opts: JobsOptions } {
    return { name: 'chunk', data: { broadcastId: id, channel, n }, opts: { ...CHUNK_OPTIONS, jobId: chunkJobId(id, channel, n) } };
  }

  /**
   * Drops a cancelled broadcast's jobs that have not started, so they do not wait their turn
   * in the rate limiter for nothing. Best effort: a job that runs anyway sends nothing.
   */
  async removePending(id: string, chunks: ChunkCounts | undefined): Promise<void> {
    await this.start.remove(startJobId(id)).catch(() => 0);
    if (!chunks) return;
    for (const channel of BROADCAST_CHANNELS) {
      const ids = Array.from({ length: chunks[channel] }, (_, n) => chunkJobId(id, channel, n));
      for (let i = 0; i < ids.length; i += ADD_BATCH) {
        await Promise.all(ids.slice(i, i + ADD_BATCH).map((jobId) => this.chunks[channel].remove(jobId).catch(() => 0)));
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.start.close(), ...Object.values(this.chunks).map((queue) => queue.close())]);
  }
}
