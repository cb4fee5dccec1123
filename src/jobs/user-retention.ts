/**
 * Sweeps user records past their retention (store/users-retention.ts) in the worker role:
 * soon after start, then every hour. Sweeps of several workers may overlap; each user is
 * decided in one script, so that is harmless.
 */
import type { Logger } from 'pino';
import { CHANNELS, type Channel } from '../conversation/types.ts';
import { logWorkerError } from '../observability/redis-events.ts';
import type { SweepResult } from '../store/users-retention.ts';

const FIRST_SWEEP_MS = 60_000;
const SWEEP_EVERY_MS = 3_600_000;

export interface RetentionSweeps {
  stop(): void;
}

export function startRetentionSweeps(deps: {
  retention: { sweep(channel: Channel, retentionMs: number, options?: { signal?: AbortSignal }): Promise<SweepResult> };
  /** Every channel by default: records of a channel no longer configured age out too. */
  channels?: readonly Channel[];
  retentionDays: number;
  logger: Logger;
}): RetentionSweeps {
  const { retention, channels = CHANNELS, logger } = deps;
  const retentionMs = deps.retentionDays * 86_400_000;
  // A shutdown does not wait for a sweep: each user is decided on its own, so one cut
  // short loses nothing, and the next sweep goes over everyone again.
  const stopping = new AbortController();
  let running: Promise<void> = Promise.resolve();
  const sweep = async () => {
    for (const channel of channels) {
      if (stopping.signal.aborted) return;
      try {
        const result = await retention.sweep(channel, retentionMs, { signal: stopping.signal });
        if (result.deleted || result.orphans) logger.info({ channel, ...result }, 'user records past retention deleted');
      } catch (error) {
        // The next sweep tries again; an outage is logged once, elsewhere.
        logWorkerError(logger, error as Error, 'user retention sweep failed', { channel });
      }
    }
  };
  const run = () => {
    running = running.then(sweep);
  };
  const first = setTimeout(run, FIRST_SWEEP_MS);
  const every = setInterval(run, SWEEP_EVERY_MS);
  first.unref();
  every.unref();
  return {
    stop() {
      clearTimeout(first);
      clearInterval(every);
      stopping.abort();
    },
  };
}
