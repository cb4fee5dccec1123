/**
 * The broadcast workers: one freezes audiences and enqueues their chunks, a few per channel
 * send chunks under that channel's rate limit (BullMQ's limiter is shared by every worker
 * on the queue, in every process; each process also spaces its own sends, pacer.ts).
 *
 * Why nobody gets a tip twice and nobody is skipped, whatever crashes:
 * - a chunk job that dies mid-send is picked up again (stalled-job recovery) and resends
 *   with the same LINE retry key (LINE answers 409) or the same Slack claim (skipped);
 * - a chunk's outcome is counted under a "done" marker, once, however often it runs;
 * - the freeze commits in steps and a rerun goes on from the last one; a chunk is sent only
 *   once committed, while the rest of the audience is still being frozen.
 */
import { Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { Locale } from '../../conversation/types.ts';
import type { InsightsRecorder } from '../../insights/recorder.ts';
import type { Metrics } from '../../observability/metrics.ts';
import { logWorkerError } from '../../observability/redis-events.ts';
import type { QueueConnection } from '../../store/redis-connection.ts';
import type { BroadcastMessages } from './content.ts';
import { RateLimited } from '../../channels/types.ts';
import type { ChunkSizes } from './chunks.ts';
import { deliverChunk, type Broadcasters } from './delivery.ts';
import { BROADCAST_CHANNELS, type BroadcastChannel } from './filter.ts';
import { closeWorker } from '../close-worker.ts';
import { freezeAudience } from './freeze.ts';
import { limiterFor } from '../limiter.ts';
import { createPacer } from './pacer.ts';
import { BROADCAST_START_QUEUE, broadcastQueueName, type BroadcastQueues, type ChunkJobData, type StartJobData } from './queues.ts';
import type { BroadcastStore } from '../../store/broadcasts.ts';
import type { AudienceReader } from '../../store/audience-reader.ts';

export interface BroadcastWorkerOptions {
  /** BullMQ workers block on their connection: give them one of their own (the store's workerConnection()). */
  bull: QueueConnection;
  /** Users as audiences read them (only the fields a filter needs). */
  users: AudienceReader;
  broadcasts: BroadcastStore;
  queues: BroadcastQueues;
  /** The channels' broadcasters; a chunk of a channel without one counts as failed. */
  broadcasters: Broadcasters;
  /** Sends per second per channel, across all workers: LINE multicast requests, Slack DMs. */
  rates: Record<BroadcastChannel, number>;
  fallbackLocale: Locale;
  logger: Logger;
  metrics?: Metrics;
  clock?: () => Date;
  /** BullMQ lock and stalled-check timing; shorter in tests that kill workers. */
  tuning?: { lockDurationMs?: number; stalledIntervalMs?: number };
  /** Counts each broadcast's recipients and outcomes for the staff's insights. */
  insights?: Pick<InsightsRecorder, 'broadcastStarted' | 'broadcastChunk'>;
}

export interface BroadcastWorkers {
  workers: Worker[];
  /** `redisUp` says whether waiting for running chunks can end (close-worker.ts). */
  close(redisUp?: () => boolean): Promise<void>;
}

export type ChunkResult = 'counted' | 'duplicate' | 'cancelled' | 'not-sending' | 'missing';

/** Each channel's chunks are as large as one send of its broadcaster (one user where there is none: it fails alone). */
export function chunkSizes(broadcasters: Broadcasters): ChunkSizes {
  return Object.fromEntries(BROADCAST_CHANNELS.map((channel) => [channel, broadcasters[channel]?.chunkSize ?? 1])) as ChunkSizes;
}

/** A worker restarted this often in the middle of one job still finishes it. */
const MAX_STALLED = 10;
const CACHED_BROADCASTS = 50;
/**
 * A channel's chunk slots are spread over workers of at most this many. BullMQ's fetch loop
 * (`Worker.mainLoop`) fills a worker's free slots one job after another and starts none of
 * them before it stops (slots full, queue empty or rate limited); while a freeze keeps Redis
 * busy a fetch takes 5 to 10 ms, so 64 slots in one worker held the first jobs of a
 * broadcast back for about 0.45 s (docs/operations.md, Broadcast). Workers fetch side by side.
 */
const SLOTS_PER_WORKER = 8;

export function createBroadcastWorkers(options: BroadcastWorkerOptions): BroadcastWorkers {
  const { broadcasts, queues, logger, metrics } = options;
  const clock = options.clock ?? (() => new Date());
  const common = {
    ...options.bull,
    maxStalledCount: MAX_STALLED,
    ...(options.tuning?.lockDurationMs ? { lockDuration: options.tuning.lockDurationMs } : {}),
    ...(options.tuning?.stalledIntervalMs ? { stalledInterval: options.tuning.stalledIntervalMs } : {}),
  };

  // What a broadcast says never changes once created; read it once per worker.
  const messageCache = new Map<string, BroadcastMessages>();
  async function messagesOf(id: string): Promise<BroadcastMessages | undefined> {
    const cached = messageCache.get(id);
    if (cached) return cached;
    const record = await broadcasts.get(id);
    if (!record) return undefined;
    if (messageCache.size >= CACHED_BROADCASTS) messageCache.delete(messageCache.keys().next().value!);
    messageCache.set(id, record.messages);
    return record.messages;
  }

  async function start(job: Job<StartJobData>, _token?: string, signal?: AbortSignal): Promise<string> {
    const id = job.data.broadcastId;
    const log = logger.child({ broadcast: id });
    const began = Date.now();
    // A resumed freeze: what earlier runs committed is sent (a job enqueued twice is added once).
    const published = await broadcasts.publishedChunks(id);
    if (published) await queues.enqueueChunks(id, published, await broadcasts.doneChunks(id));
    const outcome = await freezeAudience(
      {
        broadcasts,
        clock,
        fallbackLocale: options.fallbackLocale,
        chunkSizes: chunkSizes(options.broadcasters),
        onChunks: (chunks) => queues.enqueueList(id, chunks),
        ...(signal ? { signal } : {}),
      },
      id,
    );
    const record = await broadcasts.get(id);
    if (outcome === 'frozen') log.info({ total: record?.total, chunks: record?.chunks, ms: Date.now() - began }, 'broadcast audience frozen');
    // Only the run that published the whole audience gets here with 'frozen': recipients are counted once.
    if (outcome === 'frozen' && record) await options.insights?.broadcastStarted(id, record.filter.channels ?? [], record.total ?? 0);
    // Frozen by an earlier run that died before enqueueing its last chunks.
    if (outcome === 'skipped' && record?.status === 'sending' && record.chunks) {
      log.info({ enqueued: await queues.enqueueChunks(id, record.chunks, await broadcasts.doneChunks(id)) }, 'broadcast chunks enqueued');
    }
    return outcome;
  }

  function chunkProcessor(channel: BroadcastChannel) {
    const pacer = createPacer(options.rates[channel]);
    return async (job: Job<ChunkJobData>): Promise<ChunkResult> => {
      const { broadcastId: id, n } = job.data;
      const state = await broadcasts.chunkState(id, channel, n);
      if (state.done) return 'duplicate';
      if (state.status === 'cancelled') return 'cancelled';
      // Chunks are sent while the rest of the audience is still being frozen.
      if ((state.status !== 'sending' && state.status !== 'freezing') || !state.frozenRun) return 'not-sending';
      const [chunk, messages] = await Promise.all([broadcasts.readChunk(id, state.frozenRun, channel, n), messagesOf(id)]);
      if (!chunk || !messages) return 'missing';
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      let report;
      try {
        report = await deliverChunk(
          { stillWanted: options.users.stillWanted, broadcasters: options.broadcasters, pacer },
          { broadcastId: id, chunk, message: messages[chunk.locale], lastAttempt },
        );
      } catch (error) {
        if (error instanceof RateLimited) {
          logger.info({ broadcast: id, channel, pauseMs: error.retryAfterMs }, 'broadcast rate limited by the platform; queue paused');
          pacer.holdFor(error.retryAfterMs);
          await queues.chunks[channel].rateLimit(error.retryAfterMs);
          // Back to waiting without using up an attempt; the whole queue waits out Retry-After.
          throw Worker.RateLimitError();
        }
        throw error;
      }
      const { problem, ...outcome } = report;
      if (problem) logger.warn({ broadcast: id, channel, chunk: n, problem, failed: outcome.failed }, 'broadcast chunk not delivered');
      const counted = await broadcasts.recordChunk(id, state.frozenRun, channel, n, outcome, clock());
      if (!counted) return 'duplicate';
      await options.insights?.broadcastChunk(id, outcome);
      for (const result of ['sent', 'failed', 'skipped'] as const) {
        if (outcome[result]) metrics?.broadcastMessages.inc({ channel, result }, outcome[result]);
      }
      return 'counted';
    };
  }

  /** A chunk whose job gave up (errors past its attempts, stalled too often) still counts, as failed. */
  async function countAbandoned(channel: BroadcastChannel, job: Job<ChunkJobData> | undefined): Promise<void> {
    // 'failed' fires for every failed attempt; only a job that will not run again is abandoned.
    if (!job || (await job.getState()) !== 'failed') return;
    const { broadcastId: id, n } = job.data;
    const state = await broadcasts.chunkState(id, channel, n);
    if (state.done || (state.status !== 'sending' && state.status !== 'freezing') || !state.frozenRun) return;
    const chunk = await broadcasts.readChunk(id, state.frozenRun, channel, n);
    if (!chunk) return;
    if (await broadcasts.recordChunk(id, state.frozenRun, channel, n, { sent: 0, failed: chunk.ids.length, skipped: 0 }, clock())) {
      metrics?.broadcastMessages.inc({ channel, result: 'failed' }, chunk.ids.length);
      await options.insights?.broadcastChunk(id, { sent: 0, failed: chunk.ids.length, skipped: 0 });
    }
  }

  const startWorker = new Worker<StartJobData, string>(BROADCAST_START_QUEUE, start, { ...common, concurrency: 2 });
  const chunkWorkers = BROADCAST_CHANNELS.flatMap((channel) => {
    const rate = options.rates[channel];
    // Enough requests in flight to reach the rate (a channel without a broadcaster fails its chunks at once).
    const slots = options.broadcasters[channel]?.concurrency(rate) ?? 1;
    const count = Math.ceil(slots / SLOTS_PER_WORKER);
    // One processor, so the workers of a channel share its pacer.
    const processor = chunkProcessor(channel);
    return Array.from({ length: count }, () => {
      const worker = new Worker<ChunkJobData, ChunkResult>(broadcastQueueName(channel), processor, {
        ...common,
        // BullMQ's limiter counts on Redis, per queue: every worker of the channel shares it.
        limiter: limiterFor(rate),
        concurrency: Math.ceil(slots / count),
      });
      worker.on('failed', (job, error) => {
        logger.warn({ jobId: job?.id, attempts: job?.attemptsMade, err: error }, 'broadcast chunk job failed');
        countAbandoned(channel, job).catch((e: unknown) => logger.error({ err: e }, 'could not count an abandoned broadcast chunk'));
      });
      return worker;
    });
  });
  startWorker.on('failed', (job, error) => logger.warn({ jobId: job?.id, attempts: job?.attemptsMade, err: error }, 'broadcast start job failed'));
  const workers: Worker[] = [startWorker, ...chunkWorkers];
  for (const worker of workers) worker.on('error', (error) => logWorkerError(logger, error, 'broadcast worker error'));

  return {
    workers,
    async close(redisUp = () => true) {
      // A freeze in progress is dropped rather than waited for; its job reruns it from scratch.
      startWorker.cancelAllJobs('shutting down');
      await Promise.all(workers.map((w) => closeWorker(w, redisUp)));
    },
  };
}
