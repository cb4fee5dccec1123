/**
 * The per-process send pacer on a simulated clock: turns are 1/rate apart however many
 * sends ask at once, and a platform's Retry-After holds every waiting send behind it.
 */
import { describe, expect, it } from 'vitest';
import { createPacer } from '../src/jobs/broadcast/pacer.ts';

/** A clock that only moves when a send sleeps; sleepers wake in time order. */
function simulatedTime() {
  let now = 0;
  const sleepers: { until: number; wake: () => void }[] = [];
  const sleep = (ms: number) => new Promise<void>((wake) => sleepers.push({ until: now + ms, wake }));
  /** Runs until every send has had its turn. */
  const settle = async () => {
    for (;;) {
      await new Promise((r) => setImmediate(r));
      if (sleepers.length === 0) return;
      sleepers.sort((a, b) => a.until - b.until);
      const next = sleepers.shift()!;
      now = Math.max(now, next.until);
      next.wake();
    }
  };
  /** The event loop is busy for `ms`: no sleeper wakes before it ends. */
  const stall = (ms: number) => void (now += ms);
  return { now: () => now, sleep, settle, stall };
}

describe('send pacer', () => {
  it('spaces sends that ask at once 1/rate apart, never earlier', async () => {
    const time = simulatedTime();
    const pacer = createPacer(4, time.now, time.sleep);
    const sent: number[] = [];
    for (let i = 0; i < 9; i++) void pacer.turn().then(() => sent.push(time.now()));
    await time.settle();
    expect(sent).toEqual([0, 250, 500, 750, 1_000, 1_250, 1_500, 1_750, 2_000]);
  });

  it('does not hold back a send after a quiet spell', async () => {
    const time = simulatedTime();
    const pacer = createPacer(10, time.now, time.sleep);
    const sent: number[] = [];
    void pacer.turn().then(() => sent.push(time.now()));
    void time.sleep(5_000).then(() => pacer.turn().then(() => sent.push(time.now())));
    await time.settle();
    expect(sent).toEqual([0, 5_000]);
  });

  it('holds every waiting send behind a Retry-After, then spaces them again', async () => {
    const time = simulatedTime();
    const pacer = createPacer(10, time.now, time.sleep);
    const sent: number[] = [];
    for (let i = 0; i < 4; i++) void pacer.turn().then(() => sent.push(time.now()));
    // The first send got a 429 asking for a second.
    void time.sleep(1).then(() => pacer.holdFor(1_000));
    await time.settle();
    expect(sent[0]).toBe(0);
    expect(sent.slice(1)).toEqual([1_001, 1_101, 1_201]);
  });

  it('sends no more than a rolling second allows when a busy event loop wakes many sends at once', async () => {
    const time = simulatedTime();
    const pacer = createPacer(10, time.now, time.sleep);
    const sent: number[] = [];
    for (let i = 0; i < 25; i++) void pacer.turn().then(() => sent.push(time.now()));
    // Busy from 50 to 1,550 ms: the turns due at 100 to 1,500 are all late.
    void time.sleep(50).then(() => time.stall(1_500));
    await time.settle();
    expect(sent).toHaveLength(25);
    const mostInASecond = Math.max(...sent.map((t) => sent.filter((u) => u > t - 1_000 && u <= t).length));
    expect(mostInASecond).toBe(10);
  });
});
