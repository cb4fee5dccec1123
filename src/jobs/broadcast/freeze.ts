/**
 * Freezes a broadcast's audience: one scan of the users, cut into chunks on Redis, then
 * published in one step. Safe to run again at any point: each run writes under its own run
 * number and only the newest run may publish, so a run that crashed or stalled half way
 * leaves nothing that is ever sent, and a rerun rebuilds the whole audience from scratch.
 */
import type { Locale } from '../../conversation/types.ts';
import { scanAudience } from './audience.ts';
import type { Chunk } from '../../store/broadcast-record.ts';
import { ChunkBuilder, type ChunkSizes } from './chunks.ts';
import type { BroadcastStore } from '../../store/broadcasts.ts';
import type { AudienceSource } from '../../store/audience-reader.ts';

export interface FreezeDeps {
  users: AudienceSource;
  broadcasts: BroadcastStore;
  clock: () => Date;
  fallbackLocale: Locale;
  chunkSizes: ChunkSizes;
  signal?: AbortSignal;
}

/** frozen: this run published the audience; skipped: nothing to freeze (already frozen, cancelled, gone); superseded: a newer run or a cancel won. */
export type FreezeOutcome = 'frozen' | 'skipped' | 'superseded';

/** Chunks are written in groups of about this many user ids. */
const WRITE_BATCH_IDS = 5_000;

export async function freezeAudience(deps: FreezeDeps, id: string): Promise<FreezeOutcome> {
  const { broadcasts } = deps;
  const now = deps.clock();
  const run = await broadcasts.beginFreeze(id, now);
  if (!run) return 'skipped';
  const record = await broadcasts.get(id);
  if (!record) return 'skipped';

  const builder = new ChunkBuilder(deps.chunkSizes);
  let pending: Chunk[] = [];
  let pendingIds = 0;
  const write = async () => {
    await broadcasts.writeChunks(id, run, pending);
    pending = [];
    pendingIds = 0;
  };
  const counts = await scanAudience({
    users: deps.users,
    filter: record.filter,
    now,
    fallbackLocale: deps.fallbackLocale,
    firstSeen: (members) => broadcasts.firstSeenInRun(id, run, members),
    ...(deps.signal ? { signal: deps.signal } : {}),
    onInclude: async (recipients) => {
      for (const r of recipients) {
        const full = builder.add(r.channel, r.locale, r.id);
        if (full) {
          pending.push(full);
          pendingIds += full.ids.length;
        }
      }
      if (pendingIds >= WRITE_BATCH_IDS) await write();
    },
  });
  pending.push(...builder.flush());
  await write();
  // Published when the scan ends: that is when the audience stopped changing.
  return (await broadcasts.finishFreeze(id, run, { counts, chunks: builder.counts() }, deps.clock())) ? 'frozen' : 'superseded';
}
