/**
 * What the staff API asks of broadcasts: preview an audience, create a broadcast (once per
 * Idempotency-Key), list, show and cancel. Freezing and sending happen in the workers; a
 * broadcast due now is waited for briefly, so its creator learns the frozen audience size.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Content } from '../../conversation/content.ts';
import type { Locale } from '../../conversation/types.ts';
import { scanAudience } from './audience.ts';
import { countsFromBuckets, meetingWindow } from './audience-counts.ts';
import { textMessages, tipMessages, type BroadcastMessages, type LocalizedText } from './content.ts';
import type { AudienceCounts, AudienceFilter, BroadcastChannel } from './filter.ts';
import type { BroadcastQueues } from './queues.ts';
import type { BroadcastRecord } from '../../store/broadcast-record.ts';
import type { BroadcastStore } from '../../store/broadcasts.ts';
import type { AudienceSource } from '../../store/audience-reader.ts';

export type BroadcastErrorCode =
  | 'not_found'
  | 'unknown_tip'
  | 'channel_disabled'
  | 'send_at_too_far'
  | 'idempotency_mismatch'
  | 'idempotency_in_progress'
  | 'already_finished';

export class BroadcastError extends Error {
  readonly code: BroadcastErrorCode;
  constructor(code: BroadcastErrorCode, message: string) {
    super(message);
    this.name = 'BroadcastError';
    this.code = code;
  }
}

export type BroadcastSource = { tipId: string } | { text: LocalizedText };

export interface CreateBroadcast {
  staff: string;
  idempotencyKey: string;
  source: BroadcastSource;
  filter: AudienceFilter;
  /** ISO instant; absent or past: now. */
  sendAt?: string;
}

export interface BroadcastServiceOptions {
  users: AudienceSource;
  broadcasts: BroadcastStore;
  queues: BroadcastQueues;
  content: Content;
  /** Channels with a sender configured; the only ones a filter may name. */
  channels: readonly BroadcastChannel[];
  fallbackLocale: Locale;
  logger: Logger;
  clock?: () => Date;
  /** How long creating a broadcast due now waits for its audience to be frozen. */
  freezeWaitMs?: number;
}

/** Far enough for any campaign; further is more likely a typo in the year. */
const MAX_SCHEDULE_DAYS = 90;

export class BroadcastService {
  private readonly options: BroadcastServiceOptions;
  private readonly clock: () => Date;

  constructor(options: BroadcastServiceOptions) {
    this.options = options;
    this.clock = options.clock ?? (() => new Date());
  }

  get channels(): readonly BroadcastChannel[] {
    return this.options.channels;
  }

  /** Exact counts: from the audience index once it is built for the filter's channels, else by walking every user. */
  async preview(filter: AudienceFilter): Promise<AudienceCounts> {
    const normalized = this.normalize(filter);
    const channels = normalized.channels ?? this.options.channels;
    const { index } = this.options.users;
    const now = this.clock();
    if (index && (await Promise.all(channels.map((c) => index.ready(c)))).every(Boolean)) {
      const window = meetingWindow(normalized, now);
      const buckets = await Promise.all(channels.map(async (c) => [c, await index.audienceBuckets(c, window)] as const));
      return countsFromBuckets(Object.fromEntries(buckets), normalized, this.options.fallbackLocale);
    }
    const scratch = this.options.broadcasts.previewScratch();
    try {
      return await scanAudience({
        users: this.options.users,
        filter: normalized,
        now,
        fallbackLocale: this.options.fallbackLocale,
        firstSeen: scratch.firstSeen,
      });
    } finally {
      await scratch.drop();
    }
  }

  /** The broadcast, and whether it already existed for this Idempotency-Key. */
  async create(input: CreateBroadcast): Promise<{ record: BroadcastRecord; replayed: boolean }> {
    const { broadcasts, queues } = this.options;
    const now = this.clock();
    const filter = this.normalize(input.filter);
    const messages = this.messages(input.source);
    const sendAt = this.sendAt(input.sendAt, now);
    // sendAt as an instant: 10:00+09:00 and 01:00Z are the same request.
    const fingerprint = digest(JSON.stringify({ source: input.source, filter, sendAt: input.sendAt === undefined ? null : Date.parse(input.sendAt) }));
    const keyHash = digest(input.idempotencyKey);
    const id = newId(now);

    const claim = await broadcasts.claimIdempotency(input.staff, keyHash, id, fingerprint);
    if (!claim.claimed) {
      if (claim.fingerprint !== fingerprint) {
        throw new BroadcastError('idempotency_mismatch', 'this Idempotency-Key was used for a different broadcast');
      }
      const existing = await broadcasts.get(claim.id);
      if (!existing) throw new BroadcastError('idempotency_in_progress', 'a request with this Idempotency-Key is still being handled; try again');
      return { record: existing, replayed: true };
    }

    try {
      await broadcasts.create({
        id,
        staff: input.staff,
        createdAt: now.toISOString(),
        sendAt: sendAt.toISOString(),
        messages,
        filter,
        ...('tipId' in input.source ? { tipId: input.source.tipId } : {}),
      });
      await queues.scheduleStart(id, sendAt.getTime() - now.getTime());
    } catch (error) {
      await broadcasts.releaseIdempotency(input.staff, keyHash).catch(() => undefined);
      throw error;
    }
    this.options.logger.info({ broadcast: id, staff: input.staff, sendAt: sendAt.toISOString() }, 'broadcast created');
    const dueNow = sendAt.getTime() <= now.getTime();
    const record = dueNow ? await this.waitUntilFrozen(id) : await broadcasts.get(id);
    return { record: record!, replayed: false };
  }

  async get(id: string): Promise<BroadcastRecord> {
    const record = await this.options.broadcasts.get(id);
    if (!record) throw new BroadcastError('not_found', 'no such broadcast');
    return record;
  }

  list(limit = 50): Promise<BroadcastRecord[]> {
    return this.options.broadcasts.list(limit);
  }

  /**
   * Stops a broadcast: no chunk is sent after this (one already on the wire completes).
   * `changed` is false when it was already cancelled (cancelling twice is not an error).
   */
  async cancel(id: string, staff: string): Promise<{ record: BroadcastRecord; changed: boolean }> {
    const result = await this.options.broadcasts.cancel(id, staff, this.clock());
    if (result === 'missing') throw new BroadcastError('not_found', 'no such broadcast');
    if (result === 'done') throw new BroadcastError('already_finished', 'this broadcast has already been sent to everyone');
    const record = await this.get(id);
    if (result === 'ok') {
      this.options.logger.info({ broadcast: id, staff, sent: record.sent }, 'broadcast cancelled');
      // Cancelled while freezing: the chunks committed so far may have jobs.
      await this.options.queues.removePending(id, record.chunks ?? (await this.options.broadcasts.publishedChunks(id)));
    }
    return { record, changed: result === 'ok' };
  }

  /** What a broadcast of this source says, per language (for previews). */
  messagesFor(source: BroadcastSource): BroadcastMessages {
    return this.messages(source);
  }

  private normalize(filter: AudienceFilter): AudienceFilter {
    const enabled = this.options.channels;
    const disabled = filter.channels?.filter((c) => !enabled.includes(c)) ?? [];
    if (disabled.length) throw new BroadcastError('channel_disabled', `not configured here: ${disabled.join(', ')}`);
    return { ...filter, channels: [...new Set(filter.channels ?? enabled)] };
  }

  private messages(source: BroadcastSource): BroadcastMessages {
    if ('text' in source) return textMessages(source.text);
    const messages = tipMessages(this.options.content, source.tipId);
    if (!messages) throw new BroadcastError('unknown_tip', `no tip with id ${source.tipId}`);
    return messages;
  }

  private sendAt(requested: string | undefined, now: Date): Date {
    if (!requested) return now;
    const at = new Date(requested);
    if (at.getTime() - now.getTime() > MAX_SCHEDULE_DAYS * 86_400_000) {
      throw new BroadcastError('send_at_too_far', `sendAt must be within ${MAX_SCHEDULE_DAYS} days`);
    }
    return at.getTime() < now.getTime() ? now : at;
  }

  private async waitUntilFrozen(id: string): Promise<BroadcastRecord | undefined> {
    const until = Date.now() + (this.options.freezeWaitMs ?? 10_000);
    for (let delay = 20; ; delay = Math.min(delay * 2, 250)) {
      const record = await this.options.broadcasts.get(id);
      if (!record || (record.status !== 'scheduled' && record.status !== 'freezing') || Date.now() >= until) return record;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Sortable by time, unguessable enough, and free of ':' (BullMQ job ids). */
function newId(now: Date): string {
  return `${now.getTime().toString(36)}-${randomBytes(4).toString('hex')}`;
}
