/**
 * What every chat channel offers the rest of the app: its face. `channels/<name>/index.ts`
 * builds one; `runtime.ts` injects the pieces where they are needed. Jobs and the staff API
 * import this file only, never a concrete channel.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Channel, Locale, Outbound, UserRef } from '../conversation/types.ts';
import type { InboxHandler } from '../inbox/types.ts';

export type PushResult =
  | { ok: true }
  /** blocked: the user blocked/unfollowed; unreachable: account or channel gone; failed: gave up after retries. */
  | { ok: false; reason: 'blocked' | 'unreachable' | 'failed'; detail?: string };

/** Sends messages to a user outside a reply (reminders, broadcasts). */
export interface ChannelSender {
  readonly channel: Channel;
  /**
   * `retryKey` is a stable name for this logical send (a job id): a retried send with the same
   * key is not delivered twice (LINE derives X-Line-Retry-Key from it; Slack dedupes on our side).
   */
  push(user: UserRef, messages: Outbound[], options: { retryKey: string }): Promise<PushResult>;
  /**
   * The same messages to several users of this channel in one request where the platform has
   * one (LINE multicast; Slack has none), rendered in `locale` and `timeZone`. The caller has
   * left out users who blocked the bot. `retryKey` as for push.
   */
  multicast?(ids: string[], messages: Outbound[], options: { retryKey: string; locale: Locale; timeZone: string }): Promise<PushResult>;
  /** Most users one multicast carries. */
  readonly multicastSize?: number;
}

/** One chunk of a broadcast, as a channel sends it. */
export interface BroadcastSend {
  broadcastId: string;
  /** The chunk's stable name within the broadcast (`<channel>:<n>`): retry keys derive from it. */
  chunk: string;
  /** Recipients, all speaking `locale`; at most the broadcaster's `chunkSize`. */
  ids: string[];
  locale: Locale;
  message: Outbound;
  /** The job will not run again: report failures instead of throwing RetryLater. */
  lastAttempt: boolean;
}

export interface BroadcastReport {
  sent: number;
  failed: number;
  /** Recipients the platform says are gone or blocked. */
  skipped?: number;
  /** A platform error worth a log line (status and message, no user ids). */
  problem?: string;
}

/**
 * Sends broadcast chunks. Sending a chunk again (a retried or recovered job) never delivers
 * twice. Throws RateLimited when the platform asks to slow down, RetryLater when another
 * attempt may succeed.
 */
export interface ChannelBroadcaster {
  readonly channel: Channel;
  /** How many recipients one send carries (LINE multicast: 500; Slack: one DM). */
  readonly chunkSize: number;
  /** How many sends to keep in flight to reach `perSecond` (the platform's answer time decides). */
  concurrency(perSecond: number): number;
  send(send: BroadcastSend): Promise<BroadcastReport>;
}

/** The platform asked us to slow down: pause the whole queue for this long. */
export class RateLimited extends Error {
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number) {
    super(`rate limited for ${retryAfterMs} ms`);
    this.name = 'RateLimited';
    this.retryAfterMs = retryAfterMs;
  }
}

/** A failure another attempt may fix (5xx, network). */
export class RetryLater extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RetryLater';
  }
}

/** A message as the platform would show it (LINE message objects, a Slack Block Kit message), for the staff page. */
export type ChannelPreview = (message: Outbound, locale: Locale) => unknown;

/** Everything a channel offers, built by `channels/<name>/index.ts`. */
export interface ChannelFace {
  readonly channel: Channel;
  /** Its webhook route(s), registered in their own encapsulated context. */
  plugin: FastifyPluginAsync;
  /** Handles one event its webhook put in the inbox (run by conversation workers, src/inbox/). */
  consume: InboxHandler;
  sender: ChannelSender;
  broadcaster: ChannelBroadcaster;
  preview: ChannelPreview;
  /** Connects what runs beside the HTTP server (Slack Socket Mode); nothing for most channels. */
  start(): Promise<void>;
  /** Disconnects, then resolves when every accepted event has been fully handled. */
  stop(): Promise<void>;
}
