/**
 * The handoff's background work on BullMQ: delivering staff replies, the overdue check and
 * posting a request to the staff channel that could not be posted at once.
 * Job ids are deterministic, so queueing the same work twice queues it once, and a worker
 * that dies mid-push leaves a stalled job another worker (or the restarted one) runs again.
 */
import { Queue, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { QueueConnection } from '../store/redis-connection.ts';
import { logWorkerError } from '../observability/redis-events.ts';
import type { HandoffJobs } from './ports.ts';
import type { HandoffService } from './service.ts';

export const HANDOFF_QUEUE = 'handoffs';

export type HandoffJobData =
  | { kind: 'deliver'; handoffId: string; messageId: string }
  | { kind: 'overdue'; handoffId: string; dueAt: string }
  | { kind: 'post'; handoffId: string };

const KEEP = { removeOnComplete: { age: 7 * 86_400 }, removeOnFail: { age: 30 * 86_400 } };

export class HandoffQueue implements HandoffJobs {
  readonly queue: Queue<HandoffJobData>;
  private readonly clock: () => Date;

  constructor(bull: QueueConnection, clock: () => Date = () => new Date()) {
    this.queue = new Queue<HandoffJobData>(HANDOFF_QUEUE, bull);
    this.clock = clock;
  }

  async deliver(handoffId: string, messageId: string): Promise<void> {
    await this.queue.add('deliver', { kind: 'deliver', handoffId, messageId }, {
      jobId: `deliver-${handoffId}-${messageId}`,
      attempts: 5,
      backoff: { type: 'exponential', delay: 2_000 },
      ...KEEP,
    });
  }

  async checkOverdue(handoffId: string, dueAt: string): Promise<void> {
    await this.queue.add('overdue', { kind: 'overdue', handoffId, dueAt }, {
      jobId: `overdue-${handoffId}-${Date.parse(dueAt)}`,
      delay: Math.max(0, Date.parse(dueAt) - this.clock().getTime()),
      attempts: 5,
      backoff: { type: 'exponential', delay: 5_000 },
      ...KEEP,
    });
  }

  async postRequest(handoffId: string): Promise<void> {
    // Slack may be down for a while: tries spread over about an hour and a half (10 s doubling).
    await this.queue.add('post', { kind: 'post', handoffId }, { jobId: `post-${handoffId}`, attempts: 10, backoff: { type: 'exponential', delay: 10_000 }, ...KEEP });
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

export interface HandoffWorkerOptions {
  /** Its own blocking connection (the store's workerConnection()). */
  bull: QueueConnection;
  service: () => HandoffService;
  logger: Logger;
  /** After a crash the job is taken over once this has passed (BullMQ's default 30 s in production). */
  lockDurationMs?: number;
}

export function createHandoffWorker(options: HandoffWorkerOptions): Worker<HandoffJobData> {
  const process = async (job: Job<HandoffJobData>) => {
    const data = job.data;
    if (data.kind === 'deliver') return options.service().deliver(data.handoffId, data.messageId);
    if (data.kind === 'post') return options.service().postRequest(data.handoffId);
    return options.service().checkOverdue(data.handoffId, data.dueAt);
  };
  const worker = new Worker<HandoffJobData>(HANDOFF_QUEUE, process, {
    ...options.bull,
    concurrency: 10,
    ...(options.lockDurationMs ? { lockDuration: options.lockDurationMs, stalledInterval: options.lockDurationMs } : {}),
  });
  worker.on('failed', (job, error) => {
    if (job) options.logger.warn({ jobId: job.id, attempts: job.attemptsMade, err: error }, 'handoff job failed');
  });
  worker.on('error', (error) => logWorkerError(options.logger, error, 'handoff worker error'));
  return worker;
}
