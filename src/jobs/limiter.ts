/** Pacing of BullMQ queues that send to a rate-limited platform (broadcast chunks, reminder pushes). */

/**
 * BullMQ's limiter counts jobs in fixed windows. A one-second window lets a whole second's
 * worth start at once, and two such bursts at a window edge exceed the platform's rate in
 * its own second; 100 ms windows (19 per 100 ms for 190/s) keep the sends even.
 */
export function limiterFor(perSecond: number): { max: number; duration: number } {
  const max = Math.max(1, Math.floor(perSecond / 10));
  // Rounded up, so the rate is never exceeded (and missed by about a percent at most).
  return { max, duration: Math.ceil((1_000 * max) / perSecond) };
}
