/**
 * The frozen audience is cut into chunks, one send each: up to 500 LINE users who share a
 * language (one multicast request), or one Slack user (one DM). Chunks are numbered per
 * channel; a chunk's name gives its job id and its LINE retry key, so a retried or
 * re-enqueued chunk is recognised wherever it turns up again. Pure.
 */
import { LOCALES, type Locale } from '../../conversation/types.ts';
import type { Chunk, ChunkCounts } from '../../store/broadcast-record.ts';
import { BROADCAST_CHANNELS, type BroadcastChannel } from './filter.ts';

/** Recipients per chunk, per channel: what one send of the channel's broadcaster carries. */
export type ChunkSizes = Record<BroadcastChannel, number>;

export function parseChunkName(name: string): { channel: BroadcastChannel; n: number } | undefined {
  const [channel, n] = name.split(':');
  if (!channel || !(BROADCAST_CHANNELS as readonly string[]).includes(channel) || !/^\d+$/.test(n ?? '')) return undefined;
  return { channel: channel as BroadcastChannel, n: Number(n) };
}

/** Where a user was read from: their shard and its exclusion counter at that read (audience-reader.ts). */
export interface ReadFrom {
  shard: number;
  version: number;
}

/** Per open chunk, shard -> the lowest counter its users were read at; null once a user came without one. */
export type OpenShards = Record<string, Record<string, number> | null>;

/**
 * Collects users one at a time and hands back each chunk as soon as it is full, so a
 * million users never sit in memory at once. `flush` returns the partly filled rest. A
 * chunk whose every user came with `ReadFrom` carries its shards' counters (the send then
 * re-reads only shards whose counter moved).
 */
export class ChunkBuilder {
  private readonly open = new Map<string, string[]>();
  private readonly shards = new Map<string, Record<string, number> | null>();
  private readonly numbered = Object.fromEntries(BROADCAST_CHANNELS.map((c) => [c, 0])) as ChunkCounts;
  private readonly sizes: ChunkSizes;

  constructor(sizes: ChunkSizes, resume?: { open: Record<string, string[]>; openShards?: OpenShards; numbered: ChunkCounts }) {
    this.sizes = sizes;
    if (resume) {
      for (const [key, ids] of Object.entries(resume.open)) {
        this.open.set(key, [...ids]);
        // A checkpoint from before the counters: those users are re-read before sending.
        const shards = resume.openShards?.[key];
        this.shards.set(key, shards ? { ...shards } : null);
      }
      Object.assign(this.numbered, resume.numbered);
    }
  }

  /** The users not yet in a full chunk, for a checkpoint (`new ChunkBuilder(sizes, saved)` goes on from it). */
  openIds(): Record<string, string[]> {
    return Object.fromEntries(this.open);
  }

  /** The open chunks' shard counters, for the same checkpoint. */
  openShards(): OpenShards {
    return Object.fromEntries(this.shards);
  }

  add(channel: BroadcastChannel, locale: Locale, id: string, from?: ReadFrom): Chunk | undefined {
    const key = `${channel}:${locale}`;
    const ids = this.open.get(key) ?? [];
    ids.push(id);
    let shards = ids.length === 1 ? {} : this.shards.get(key);
    if (shards && from) {
      const seen = shards[from.shard];
      if (seen === undefined || from.version < seen) shards[from.shard] = from.version;
    } else shards = null;
    if (ids.length < this.sizes[channel]) {
      this.open.set(key, ids);
      this.shards.set(key, shards ?? null);
      return undefined;
    }
    this.open.delete(key);
    this.shards.delete(key);
    return this.cut(channel, locale, ids, shards ?? undefined);
  }

  flush(): Chunk[] {
    const rest: Chunk[] = [];
    for (const channel of BROADCAST_CHANNELS) {
      for (const locale of LOCALES) {
        const key = `${channel}:${locale}`;
        const ids = this.open.get(key);
        if (ids?.length) rest.push(this.cut(channel, locale, ids, this.shards.get(key) ?? undefined));
      }
    }
    this.open.clear();
    this.shards.clear();
    return rest;
  }

  /** Chunks handed out so far, per channel. */
  counts(): ChunkCounts {
    return { ...this.numbered };
  }

  private cut(channel: BroadcastChannel, locale: Locale, ids: string[], shards: Record<string, number> | undefined): Chunk {
    return { channel, n: this.numbered[channel]++, locale, ids, ...(shards ? { shards } : {}) };
  }
}
