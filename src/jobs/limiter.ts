/** Pacing of BullMQ queues that send to a rate-limited platform (broadcast chunks, reminder pushes). */

/**
 * BullMQ's limiter counts jobs in windows: the first job after a window expires opens the
 * next one, so window starts are at least `duration` apart and each lets `max` jobs start at
 * once. A platform counting in a rolling second (as LINE's 429s do) then sees up to
 * ceil(1000 / duration) windows in one second: 19 per 98 ms for 194/s is 11 windows, 209
 * starts. So windows are chosen with ceil(1000 / duration) × max ≤ perSecond (at most
 * 100 ms, so sends stay even), the highest rate that allows: 96 % of the rate or more.
 */
export function limiterFor(perSecond: number): { max: number; duration: number } {
  if (perSecond < 10) return { max: 1, duration: Math.ceil(1_000 / perSecond) };
  let best = { max: 1, duration: 100, rate: 0 };
  for (let max = 1; max <= Math.floor(perSecond / 10); max++) {
    const duration = Math.ceil(1_000 / Math.floor(perSecond / max));
    const rate = (max * 1_000) / duration;
    // Ties go to the larger window (fewer limiter delays for the same rate).
    if (rate >= best.rate) best = { max, duration, rate };
  }
  return { max: best.max, duration: best.duration };
}
