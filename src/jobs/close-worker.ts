/**
 * Shutdown that ends within Docker's stop timeout, Redis up or down. With Redis up, work in
 * hand finishes first: it was accepted, and work cut off would only run again later. With
 * Redis down, BullMQ's close (and anything else waiting on Redis) waits for a reconnect
 * that may never come, so the wait is given up, at once or as soon as Redis goes away.
 * Nothing is lost either way: unfinished jobs and inbox entries stay in Redis and are taken
 * again once their lock or lease expires (pushes carry retry keys, so none goes out twice).
 */
import type { Worker } from 'bullmq';

const POLL_MS = 100;

export async function closeWorker(worker: Pick<Worker, 'close'>, redisUp: () => boolean): Promise<void> {
  if (!redisUp()) return worker.close(true);
  await whileRedisUp(worker.close(), redisUp);
}

/** Waits for `work` while Redis is up; stops waiting once it is not (the work goes on unawaited). */
export async function whileRedisUp(work: Promise<unknown> | undefined, redisUp: () => boolean): Promise<void> {
  if (!work) return;
  let poll: NodeJS.Timeout | undefined;
  const outage = new Promise<void>((resolve) => {
    const check = () => {
      if (!redisUp()) resolve();
    };
    check();
    poll = setInterval(check, POLL_MS);
  });
  try {
    await Promise.race([work, outage]);
  } finally {
    clearInterval(poll);
  }
}
