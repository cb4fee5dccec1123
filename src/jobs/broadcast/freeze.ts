/**
 * Freezes a broadcast's audience in steps of one user shard: the shard's SSCAN pages are
 * read (each in one script, with the users' audience index entries and the shard's
 * exclusion counter), classified and cut into chunks, and at the shard's end the step
 * commits its full chunks with where to go on from (the next shard, users not yet in a full
 * chunk, counts so far). A committed chunk is sendable at once, so sending starts with the
 * first shard instead of after the whole walk. The next page is read while one is
 * classified and committed, and chunks are enqueued while the walk goes on.
 *
 * Safe to stop at any point (kill -9) and to run twice at once: each run takes a new run
 * number, which fences off older runs from committing; a new run goes on from the last
 * committed step, so a shard is taken whole by one step or not at all. SSCAN may return an
 * id twice within a shard's walk (never across shards: an id has one shard); the step drops
 * the repeats, so nobody is dropped or repeated, and no user is marked on Redis.
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
  /** Users per page read (an SSCAN COUNT hint); a step is a shard's pages. */
  pageSize?: number;
  /** How far the committed chunks may be ahead of the counted ones, in users, before the walk waits. */
  leadUsers?: number;
}

/** frozen: this run completed the audience; skipped: nothing to freeze (already frozen, cancelled, gone); superseded: a newer run or a cancel won. */
export type FreezeOutcome = 'frozen' | 'skipped' | 'superseded';

const PAGE_SIZE = 2_000;

/**
 * The walk waits while its committed chunks are this many users ahead of the sends (about
 * 1.6 s of LINE multicasts at 190 a second): a freeze running ahead at full speed only
 * takes Redis and the worker's CPU from the sends that are the broadcast's real pace.
 */
const LEAD_USERS = 150_000;
const LEAD_POLL_MS = 50;

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
  // A checkpoint in the middle of a shard comes from a version that committed every page:
  // that shard goes on with its marks (TAKE_PAGE); every later one is walked unmarked.
  let marked = !at.cursor.endsWith(':0') && at.cursor !== '0';
  const take = (committedStep: number, channel: number, cursor: string) => broadcasts.takePage(id, run, committedStep, channels[channel]!, cursor, pageSize, marked);
  const enqueue = chunkQueue(deps.onChunks);

  // SSCAN may return an id twice within one walk of a shard, never across shards: the ids
  // of the shard being walked are remembered until its end, where the step commits.
  let seen = new Set<string>();
  let full: Chunk[] = [];
  let pending = at.channel < channels.length ? take(at.step, at.channel, at.cursor) : undefined;
  const lead = deps.leadUsers ?? LEAD_USERS;
  const committedUsers = () => BROADCAST_CHANNELS.reduce((sum, c) => sum + builder.counts()[c] * deps.chunkSizes[c], 0);
  while (pending) {
    for (;;) {
      const counted = await broadcasts.countedUsers(id, run);
      if (counted === undefined) return 'superseded';
      if (committedUsers() - counted <= lead) break;
      deps.signal?.throwIfAborted();
      await new Promise((resolve) => setTimeout(resolve, LEAD_POLL_MS));
    }
    const page = await pending;
    deps.signal?.throwIfAborted();
    if (page === 'superseded') return 'superseded';
    const channel = channels[at.channel]!;
    const { next, shard, version } = page;
    const last = next === '0';
    const following = { channel: last ? at.channel + 1 : at.channel, cursor: last ? '0' : next };
    const shardEnds = last || next.endsWith(':0');
    const wasMarked = marked;
    if (shardEnds) marked = false;
    // The next page is asked for at once: Redis reads it while this one is classified and
    // committed. (A marked page is marked with its own step, which counts as not taken
    // until committed, so a run that dies before loses nothing.)
    pending = following.channel < channels.length ? take(at.step + 1, following.channel, following.cursor) : undefined;
    pending?.catch(() => undefined);
    const from = { shard, version };
    for (const user of page.users) {
      if (!wasMarked) {
        if (seen.has(user.id)) continue;
        seen.add(user.id);
      }
      const verdict = classify(user, record.filter, now, deps.fallbackLocale);
      if (verdict === 'outside') continue;
      tally(counts, user, verdict, deps.fallbackLocale);
      const chunk = verdict === 'include' ? builder.add(channel, localeOf(user, deps.fallbackLocale), user.id, from) : undefined;
      if (chunk) full.push(chunk);
    }
    if (!shardEnds && !wasMarked) {
      at = { ...at, ...following };
      continue;
    }
    seen = new Set();
    at = { ...at, step: at.step + 1, ...following, open: builder.openIds(), openShards: builder.openShards(), numbered: builder.counts(), counts };
    if (!(await broadcasts.commitStep(id, run, { checkpoint: at, chunks: full, published: builder.counts() }))) return 'superseded';
    enqueue.add(full);
    full = [];
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
