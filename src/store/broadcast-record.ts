/**
 * A broadcast as stored: one Redis hash of flat fields (counters can be HINCRBY'd in place,
 * statuses changed by small scripts), and its frozen audience as chunks. Encoding and
 * decoding live here, pure.
 *
 * Life cycle: scheduled -> freezing -> sending -> done, or cancelled from any of the first
 * three. An empty audience goes from freezing straight to done.
 */
import type { Locale } from '../conversation/types.ts';
import type { BroadcastMessages } from '../jobs/broadcast/content.ts';
import type { AudienceCounts, AudienceFilter, BroadcastChannel } from '../jobs/broadcast/filter.ts';

/** One send's worth of a frozen audience: users of one channel who share a language. */
export interface Chunk {
  channel: BroadcastChannel;
  n: number;
  locale: Locale;
  ids: string[];
  /** Shard -> its exclusion counter when these users were frozen (audience-reader.ts `stillWanted`); absent: re-read all. */
  shards?: Record<string, number>;
}

export type ChunkCounts = Record<BroadcastChannel, number>;

/** A chunk's name within its broadcast; its job id and retry keys derive from it. */
export const chunkName = (channel: BroadcastChannel, n: number): string => `${channel}:${n}`;

export function encodeChunk(chunk: Chunk): string {
  return JSON.stringify({ locale: chunk.locale, ids: chunk.ids, ...(chunk.shards ? { shards: chunk.shards } : {}) });
}

export function decodeChunk(channel: BroadcastChannel, n: number, text: string): Chunk {
  const { locale, ids, shards } = JSON.parse(text) as { locale: Locale; ids: string[]; shards?: Record<string, number> };
  return { channel, n, locale, ids, ...(shards ? { shards } : {}) };
}

export const BROADCAST_STATUSES = ['scheduled', 'freezing', 'sending', 'done', 'cancelled'] as const;
export type BroadcastStatus = (typeof BROADCAST_STATUSES)[number];

export const isActive = (status: BroadcastStatus): boolean => status === 'scheduled' || status === 'freezing' || status === 'sending';

export interface BroadcastRecord {
  id: string;
  /** Who created it (a name from ADMIN_TOKENS). */
  staff: string;
  createdAt: string;
  /** When sending starts (the audience is frozen then). */
  sendAt: string;
  status: BroadcastStatus;
  tipId?: string;
  messages: BroadcastMessages;
  /** As given, with `channels` filled in with the channels enabled at creation. */
  filter: AudienceFilter;
  /** Set once the audience is frozen. */
  total?: number;
  audience?: AudienceCounts;
  chunks?: ChunkCounts;
  chunksDone: number;
  sent: number;
  failed: number;
  /** Users who left between the freeze and their send (blocked, opted out, deleted). */
  skipped: number;
  /** The freezing run whose chunks are being sent. */
  frozenRun?: number;
  startedAt?: string;
  frozenAt?: string;
  finishedAt?: string;
  cancelledAt?: string;
  cancelledBy?: string;
}

const JSON_FIELDS = ['messages', 'filter', 'audience', 'chunks'] as const;
const NUMBER_FIELDS = ['total', 'chunksDone', 'sent', 'failed', 'skipped', 'frozenRun'] as const;

export type NewBroadcast = Pick<BroadcastRecord, 'id' | 'staff' | 'createdAt' | 'sendAt' | 'messages' | 'filter'> & { tipId?: string };

export function encodeNew(record: NewBroadcast): Record<string, string> {
  return {
    id: record.id,
    staff: record.staff,
    createdAt: record.createdAt,
    sendAt: record.sendAt,
    status: 'scheduled',
    ...(record.tipId ? { tipId: record.tipId } : {}),
    messages: JSON.stringify(record.messages),
    filter: JSON.stringify(record.filter),
    chunksDone: '0',
    sent: '0',
    failed: '0',
    skipped: '0',
  };
}

export function decodeRecord(hash: Record<string, string>): BroadcastRecord | undefined {
  if (!hash.id || !hash.status) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(hash)) {
    if ((JSON_FIELDS as readonly string[]).includes(key)) out[key] = JSON.parse(value);
    else if ((NUMBER_FIELDS as readonly string[]).includes(key)) out[key] = Number(value);
    else if (key !== 'run' && key !== 'chunksTotal' && key !== 'published') out[key] = value;
  }
  return out as unknown as BroadcastRecord;
}

/** Share of the frozen audience whose outcome is known, 0..1 (1 for a finished broadcast). */
export function progress(record: BroadcastRecord): number {
  if (record.status === 'done') return 1;
  if (!record.total) return 0;
  return Math.min(1, (record.sent + record.failed + record.skipped) / record.total);
}
