/**
 * Sends one chunk of a broadcast and says what became of each user in it. Users who
 * blocked the bot, opted out, became unreachable or deleted their data since the freeze are
 * skipped (checked right before sending). The channel's broadcaster throws failures worth
 * another try, so the job retries; on the last attempt they count as failed instead.
 */
import type { BroadcastReport, ChannelBroadcaster } from '../../channels/types.ts';
import type { Outbound } from '../../conversation/types.ts';
import type { RecipientCheck } from '../../store/audience-reader.ts';
import type { ChunkOutcome } from '../../store/broadcasts.ts';
import { chunkName, type Chunk } from '../../store/broadcast-record.ts';
import type { BroadcastChannel } from './filter.ts';
import type { Pacer } from './pacer.ts';

/** The broadcasters of the channels this worker sends to. */
export type Broadcasters = Partial<Record<BroadcastChannel, ChannelBroadcaster>>;

export interface DeliverChunkInput {
  broadcastId: string;
  chunk: Chunk;
  message: Outbound;
  lastAttempt: boolean;
}

export interface DeliveryReport extends ChunkOutcome {
  /** A platform error worth a log line (status and message, no user ids). */
  problem?: string;
}

export async function deliverChunk(
  /** `pacer` gives this send its turn (pacer.ts), after the re-check and right before the request. */
  deps: { stillWanted: RecipientCheck; broadcasters: Broadcasters; pacer?: Pacer },
  input: DeliverChunkInput,
): Promise<DeliveryReport> {
  const { chunk } = input;
  const wanted = await deps.stillWanted(chunk.channel, chunk.ids, chunk.shards);
  const eligible = chunk.ids.filter((_, i) => wanted[i]);
  const skipped = chunk.ids.length - eligible.length;
  if (eligible.length === 0) return { sent: 0, failed: 0, skipped };
  const broadcaster = deps.broadcasters[chunk.channel];
  if (broadcaster) await deps.pacer?.turn();
  const report: BroadcastReport = broadcaster
    ? await broadcaster.send({
        broadcastId: input.broadcastId,
        chunk: chunkName(chunk.channel, chunk.n),
        ids: eligible,
        locale: chunk.locale,
        message: input.message,
        lastAttempt: input.lastAttempt,
      })
    : { sent: 0, failed: eligible.length, problem: `${chunk.channel} is not configured on this worker` };
  return { ...report, skipped: skipped + (report.skipped ?? 0) };
}
