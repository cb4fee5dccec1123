/**
 * Sends one chunk of a broadcast and says what became of each user in it. Users who
 * blocked the bot, opted out, became unreachable or deleted their data since the freeze are
 * skipped (checked right before sending). Failures worth another try are thrown, so the
 * job retries; on the last attempt they count as failed instead.
 */
import type { LineMulticaster } from '../../channels/line/multicast.ts';
import type { ChannelSender } from '../../channels/types.ts';
import type { Outbound } from '../../conversation/types.ts';
import { chunkName, type Chunk } from './chunks.ts';
import type { ChunkOutcome } from '../../store/broadcasts.ts';
import type { RecipientCheck } from '../../store/audience-reader.ts';

export interface ChunkSenders {
  line?: LineMulticaster;
  slack?: ChannelSender;
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

/** When LINE says 429 without Retry-After. */
const DEFAULT_RATE_LIMIT_PAUSE_MS = 1_000;

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
  deps: { stillWanted: RecipientCheck; senders: ChunkSenders },
  input: DeliverChunkInput,
): Promise<DeliveryReport> {
  const { chunk } = input;
  const wanted = await deps.stillWanted(chunk.channel, chunk.ids);
  const eligible = chunk.ids.filter((_, i) => wanted[i]);
  const skipped = chunk.ids.length - eligible.length;
  if (eligible.length === 0) return { sent: 0, failed: 0, skipped };
  const report = chunk.channel === 'line' ? await sendLine(deps.senders.line, eligible, input) : await sendSlack(deps.senders.slack, eligible, input);
  return { ...report, skipped: skipped + (report.skipped ?? 0) };
}

type SendReport = Omit<DeliveryReport, 'skipped'> & { skipped?: number };

async function sendLine(line: LineMulticaster | undefined, ids: string[], input: DeliverChunkInput): Promise<SendReport> {
  if (!line) return { sent: 0, failed: ids.length, problem: 'LINE is not configured on this worker' };
  const name = `broadcast:${input.broadcastId}:${chunkName(input.chunk.channel, input.chunk.n)}`;
  const result = await line.send(ids, [input.message], input.chunk.locale, name);
  if (result.ok) return { sent: ids.length, failed: 0 };
  if (result.status === 429) throw new RateLimited(result.retryAfterMs ?? DEFAULT_RATE_LIMIT_PAUSE_MS);
  const problem = `${result.status} ${result.message}${result.requestId ? ` (request ${result.requestId})` : ''}`;
  if (result.retryable && !input.lastAttempt) throw new RetryLater(`LINE multicast: ${problem}`);
  return { sent: 0, failed: ids.length, problem };
}

async function sendSlack(slack: ChannelSender | undefined, ids: string[], input: DeliverChunkInput): Promise<SendReport> {
  if (!slack) return { sent: 0, failed: ids.length, problem: 'Slack is not configured on this worker' };
  const report: SendReport = { sent: 0, failed: 0, skipped: 0 };
  for (const id of ids) {
    // The sender claims `retryKey` per message before posting, so a retried job skips users already sent to.
    const result = await slack.push({ channel: 'slack', id }, [input.message], { retryKey: `broadcast:${input.broadcastId}:${id}` });
    if (result.ok) report.sent++;
    else if (result.reason !== 'failed') report.skipped!++;
    else if (!input.lastAttempt) throw new RetryLater(`Slack DM: ${result.detail ?? 'failed'}`);
    else {
      report.failed++;
      report.problem = result.detail ?? 'failed';
    }
  }
  return report;
}
