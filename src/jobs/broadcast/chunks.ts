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

/**
 * Collects users one at a time and hands back each chunk as soon as it is full, so a
 * million users never sit in memory at once. `flush` returns the partly filled rest.
 */
export class ChunkBuilder {
  private readonly open = new Map<string, string[]>();
  private readonly numbered = Object.fromEntries(BROADCAST_CHANNELS.map((c) => [c, 0])) as ChunkCounts;
  private readonly sizes: ChunkSizes;

  constructor(sizes: ChunkSizes, resume?: { open: Record<string, string[]>; numbered: ChunkCounts }) {
    this.sizes = sizes;
    if (resume) {
      for (const [key, ids] of Object.entries(resume.open)) this.open.set(key, [...ids]);
      Object.assign(this.numbered, resume.numbered);
    }
  }

  /** The users not yet in a full chunk, for a checkpoint (`new ChunkBuilder(sizes, saved)` goes on from it). */
  openIds(): Record<string, string[]> {
    return Object.fromEntries(this.open);
  }

  add(channel: BroadcastChannel, locale: Locale, id: string): Chunk | undefined {
    const key = `${channel}:${locale}`;
    const ids = this.open.get(key) ?? [];
    ids.push(id);
    if (ids.length < this.sizes[channel]) {
      this.open.set(key, ids);
      return undefined;
    }
    this.open.delete(key);
    return this.cut(channel, locale, ids);
  }

  flush(): Chunk[] {
    const rest: Chunk[] = [];
    for (const channel of BROADCAST_CHANNELS) {
      for (const locale of LOCALES) {
        const ids = this.open.get(`${channel}:${locale}`);
        if (ids?.length) rest.push(this.cut(channel, locale, ids));
      }
    }
    this.open.clear();
    return rest;
  }

  /** Chunks handed out so far, per channel. */
  counts(): ChunkCounts {
    return { ...this.numbered };
  }

  private cut(channel: BroadcastChannel, locale: Locale, ids: string[]): Chunk {
    return { channel, n: this.numbered[channel]++, locale, ids };
  }
}
