/**
 * Spaces one process's sends to a channel evenly, right before each request. BullMQ's
 * limiter (limiter.ts) bounds the rate across every worker, but it paces job starts, and
 * the work between a start and its request (reading the chunk, re-checking its users)
 * takes longer for some jobs than others: jobs started in two windows can then reach the
 * platform in one burst, and LINE answers a rolling second's 201st request with 429 (and
 * the whole queue pauses for Retry-After). Within this process, no two sends are closer
 * than 1/perSecond; N processes are still held to the rate as a whole by the limiter.
 */
export interface Pacer {
  /** Resolves at this send's turn. */
  turn(): Promise<void>;
  /** No turn before `ms` from now (the platform's Retry-After): sends already waiting hold too. */
  holdFor(ms: number): void;
}

/**
 * Beyond the even turns, no more than a rolling second's worth of sends (the rate and 2 %)
 * go in any rolling second: a busy event loop (a freeze step, a garbage collection) fires
 * the timers of the sends it held all at once, and those would reach the platform together.
 */
const ROLLING_SLACK = 1.02;

export function createPacer(perSecond: number, now: () => number = () => performance.now(), sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms))): Pacer {
  const interval = 1_000 / perSecond;
  let next = Number.NEGATIVE_INFINITY;
  let heldUntil = Number.NEGATIVE_INFINITY;
  // When the last sends went, oldest first from `oldest`.
  const sent = new Array<number>(Math.max(1, Math.floor(perSecond * ROLLING_SLACK))).fill(Number.NEGATIVE_INFINITY);
  let oldest = 0;
  return {
    async turn() {
      for (;;) {
        const slot = Math.max(now(), next);
        next = slot + interval;
        let wait = slot - now();
        // Rounded up: a timer never fires early, so a send is never before its turn.
        if (wait > 0) await sleep(Math.ceil(wait));
        while ((wait = sent[oldest]! + 1_000 - now()) > 0 && heldUntil <= slot) await sleep(Math.ceil(wait));
        // A hold that came while this send waited puts it in line again, behind the hold.
        if (heldUntil > slot) continue;
        sent[oldest] = now();
        oldest = (oldest + 1) % sent.length;
        return;
      }
    },
    holdFor(ms) {
      heldUntil = Math.max(heldUntil, now() + ms);
      next = Math.max(next, heldUntil);
    },
  };
}
