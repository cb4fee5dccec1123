/**
 * Freezes a broadcast's audience in steps: one SSCAN page of users at a time is taken (in
 * one script: ids not taken before, marked, with their audience index entries), classified,
 * cut into chunks and committed together with where to go on from (cursor, users not yet
 * in a full chunk, counts so far). A committed chunk is sendable at once, so sending starts
 * with the first step instead of after the whole walk.
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
import { BROADCAST_CHANNELS, classify, emptyCounts, localeOf, tally, type AudienceUser, type Classification } from './filter.ts';

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

  while (at.channel < channels.length) {
    const channel = channels[at.channel]!;
    for (let last = false; !last; ) {
      deps.signal?.throwIfAborted();
      const page = await broadcasts.takePage(id, run, at.step, channel, at.cursor, deps.pageSize ?? PAGE_SIZE);
      if (page === 'superseded') return 'superseded';
      const { next, users } = page;
      last = next === '0';
      const candidates: { user: AudienceUser; verdict: Classification }[] = [];
      for (const user of users) {
        const verdict = classify(user, record.filter, now, deps.fallbackLocale);
        if (verdict !== 'outside') candidates.push({ user, verdict });
      }
      const full: Chunk[] = [];
      for (const { user, verdict } of candidates) {
        tally(counts, user, verdict, deps.fallbackLocale);
        const chunk = verdict === 'include' ? builder.add(channel, localeOf(user, deps.fallbackLocale), user.id) : undefined;
        if (chunk) full.push(chunk);
      }
      at = { ...at, step: at.step + 1, channel: last ? at.channel + 1 : at.channel, cursor: last ? '0' : next, open: builder.openIds(), numbered: builder.counts(), counts };
      if (!(await broadcasts.commitStep(id, run, { checkpoint: at, chunks: full, published: builder.counts() }))) return 'superseded';
      if (full.length) await deps.onChunks?.(full);
    }
  }
  const rest = builder.flush();
  const done = await broadcasts.commitStep(id, run, { checkpoint: at, chunks: rest, published: builder.counts(), final: { counts, at: deps.clock() } });
  if (!done) return 'superseded';
  if (rest.length) await deps.onChunks?.(rest);
  return 'frozen';
}
