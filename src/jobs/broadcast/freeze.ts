/**
 * Freezes a broadcast's audience in steps: one SSCAN page of users at a time is taken (in
 * one script: ids not taken before, marked, with their audience index entries), classified,
 * cut into chunks and committed together with where to go on from (cursor, users not yet
 * in a full chunk, counts so far). A committed chunk is sendable at once, so sending starts
 * with the first step instead of after the whole walk. The next page is read while a step is
 * classified and committed, and chunks are enqueued while the walk goes on.
 *
 * Safe to stop at any point (kill -9) and to run twice at once: each run takes a new run
 * number, which fences off older runs from taking users and committing; a new run goes on
 * from the last committed step. Users are marked with the step that took them, and a mark
 * from a step that never committed counts as new again, so nobody is dropped or repeated.
 */
import type { Locale } from '../../conversation/types.ts';
import type { Chunk } from '../../store/broadcast-record.ts';
import type { BroadcastStore, FreezeCheckpoint } from '../../store/broadcasts.ts';
import { ChunkBuilder, type ChunkSizes } from './chunks.ts';
import { BROADCAST_CHANNELS, classify, emptyCounts, localeOf, tally } from './filter.ts';

export interface FreezeDeps {
  broadcasts: BroadcastStore;
  clock: () => Date;
  fallbackLocale: Locale;
  chunkSizes: ChunkSizes;
  /** Receives each step's full chunks once committed (the worker enqueues them). */
  onChunks?: (chunks: readonly Chunk[]) => Promise<void>;
  signal?: AbortSignal;
  /** Users per step (an SSCAN COUNT hint). */
  pageSize?: number;
}

/** frozen: this run completed the audience; skipped: nothing to freeze (already frozen, cancelled, gone); superseded: a newer run or a cancel won. */
export type FreezeOutcome = 'frozen' | 'skipped' | 'superseded';

const PAGE_SIZE = 5_000;

export async function freezeAudience(deps: FreezeDeps, id: string): Promise<FreezeOutcome> {
  const { broadcasts } = deps;
  const begun = await broadcasts.beginFreeze(id, deps.clock());
  if (!begun) return 'skipped';
  const record = await broadcasts.get(id);
  if (!record) return 'skipped';
  const { run } = begun;
  const channels = record.filter.channels ?? BROADCAST_CHANNELS;
  const builder = new ChunkBuilder(deps.chunkSizes, begun.checkpoint);
  // The moment the audience is taken at is the first run's, so a resumed run classifies alike.
  let at: FreezeCheckpoint = begun.checkpoint ?? { step: 0, now: deps.clock().getTime(), channel: 0, cursor: '0', open: {}, numbered: builder.counts(), counts: emptyCounts() };
  const { counts } = at;
  const now = new Date(at.now);
  const pageSize = deps.pageSize ?? PAGE_SIZE;
  const take = (committedStep: number, channel: number, cursor: string) => broadcasts.takePage(id, run, committedStep, channels[channel]!, cursor, pageSize);
  const enqueue = chunkQueue(deps.onChunks);

  let pending = at.channel < channels.length ? take(at.step, at.channel, at.cursor) : undefined;
  while (pending) {
    const page = await pending;
    deps.signal?.throwIfAborted();
    if (page === 'superseded') return 'superseded';
    const channel = channels[at.channel]!;
    const { next, users } = page;
    const last = next === '0';
    const following = { channel: last ? at.channel + 1 : at.channel, cursor: last ? '0' : next };
    // The next page is asked for at once, as the step after this one: Redis reads and marks
    // it while this one is classified and committed. Its users are marked with its own step,
    // which counts as not taken until committed, so a run that dies before loses nothing;
    // a newer run or a cancel fails its check as it fails this step's commit.
    pending = following.channel < channels.length ? take(at.step + 1, following.channel, following.cursor) : undefined;
    pending?.catch(() => undefined);
    const full: Chunk[] = [];
    for (const user of users) {
      const verdict = classify(user, record.filter, now, deps.fallbackLocale);
      if (verdict === 'outside') continue;
      tally(counts, user, verdict, deps.fallbackLocale);
      const chunk = verdict === 'include' ? builder.add(channel, localeOf(user, deps.fallbackLocale), user.id) : undefined;
      if (chunk) full.push(chunk);
    }
    at = { ...at, step: at.step + 1, ...following, open: builder.openIds(), numbered: builder.counts(), counts };
    if (!(await broadcasts.commitStep(id, run, { checkpoint: at, chunks: full, published: builder.counts() }))) return 'superseded';
    enqueue.add(full);
  }
  const rest = builder.flush();
  const done = await broadcasts.commitStep(id, run, { checkpoint: at, chunks: rest, published: builder.counts(), final: { counts, at: deps.clock() } });
  if (!done) return 'superseded';
  enqueue.add(rest);
  await enqueue.settled();
  return 'frozen';
}

/**
 * Hands committed chunks to `onChunks` in order, one call at a time, while the freeze goes
 * on to its next page. A failure surfaces at `settled()` (the start job then retries, and
 * the rerun enqueues every published chunk); it is never an unhandled rejection.
 */
function chunkQueue(onChunks: FreezeDeps['onChunks']): { add(chunks: readonly Chunk[]): void; settled(): Promise<void> } {
  let tail: Promise<void> = Promise.resolve();
  return {
    add(chunks) {
      if (!onChunks || chunks.length === 0) return;
      tail = tail.then(() => onChunks(chunks));
      tail.catch(() => undefined);
    },
    settled: () => tail,
  };
}
