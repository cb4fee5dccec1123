/**
 * The inbox on Redis Streams: the only code that speaks Redis for it.
 *
 * One stream per partition; a user's entries always land in the same partition (a hash of
 * their key), so one consumer reading a partition in order keeps every user's order.
 * Accepting is one script: for each partition, refuse when it is over its depth, else claim
 * each event id (SET NX with the platform's redelivery window) and XADD the new ones, so an
 * event is never claimed without being stored, nor stored twice. On a cluster a call holds
 * one partition (one slot); on one Redis, every partition a turn of appends touched.
 *
 * Workers hold a partition through a lease (SET NX PX, renewed by its holder); a worker
 * that takes a partition over first claims every pending entry of the consumer before it
 * (XAUTOCLAIM). Handled entries are acknowledged and deleted (XACK + XDEL in one MULTI), so
 * XLEN is the partition's depth: waiting plus in progress.
 */
import type { RedisClient } from './redis-connection.ts';
import type { Channel } from '../conversation/types.ts';
import type { AppendOutcome, InboxEntry, InboxWriter, NewEntry } from '../inbox/types.ts';
import { fnv1a } from './fnv1a.ts';
import type { RedisKeys } from './keys.ts';

const GROUP = 'workers';

type Items = [string, string[] | null][];
/** One stream's reply: `[key, items]` (ioredis with RESP3) or `[[key, items]]` (RESP2); null when nothing came. */
type StreamReply = [string, Items] | [string, Items][] | null;

function streamItems(reply: StreamReply): Items {
  if (!reply || reply.length === 0) return [];
  return typeof reply[0] === 'string' ? ((reply as [string, Items])[1] ?? []) : ((reply as [string, Items][])[0]?.[1] ?? []);
}

/**
 * Appends to one or more partitions. KEYS: per partition, its stream, then the seen-key of
 * each of its entries that has an event id, in order. ARGV: max depth, partition count, then
 * per partition its entry count and per entry: has id (0/1), seen TTL (s), channel, key, data.
 * Returns one result per partition: -1 when it is over its depth (nothing of it is stored),
 * else one flag per entry (1 appended, 0 already seen).
 */
const APPEND = `
local depth = tonumber(ARGV[1])
local results = {}
local k = 1
local a = 3
for p = 1, tonumber(ARGV[2]) do
  local stream = KEYS[k]
  k = k + 1
  local count = tonumber(ARGV[a])
  a = a + 1
  if redis.call('XLEN', stream) >= depth then
    for i = 1, count do
      if ARGV[a] == '1' then k = k + 1 end
      a = a + 5
    end
    results[p] = -1
  else
    local flags = {}
    for i = 1, count do
      local fresh = true
      if ARGV[a] == '1' then
        fresh = redis.call('SET', KEYS[k], '1', 'NX', 'EX', ARGV[a + 1])
        k = k + 1
      end
      if fresh then
        redis.call('XADD', stream, '*', 'c', ARGV[a + 2], 'k', ARGV[a + 3], 'd', ARGV[a + 4])
        flags[i] = 1
      else
        flags[i] = 0
      end
      a = a + 5
    end
    results[p] = flags
  end
end
return results
`;

const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

type InboxRedis = RedisClient & {
  inboxAppend(...args: (string | number)[]): Promise<(number[] | -1)[]>;
  inboxRenew(key: string, owner: string, ms: number): Promise<number>;
  inboxRelease(key: string, owner: string): Promise<number>;
};

export interface RedisInboxOptions {
  /** Separates inboxes sharing a prefix (tests); `inbox` in production. */
  name?: string;
  partitions: number;
  /** Entries a partition may hold before webhooks are refused (503). */
  maxDepthPerPartition: number;
  /** How long an accepted event id is remembered, per channel: longer than the platform redelivers. */
  seenTtlSeconds: Record<Channel, number>;
}

/** The partition of an order key (FNV-1a, stable across processes and versions). */
export function partitionOf(key: string, partitions: number): number {
  return fnv1a(key) % partitions;
}

/**
 * How long a webhook waits for its append. A script caught on a connection as Redis dies can
 * sit in ioredis's queue until Redis is back, holding the platform's request; its redelivery
 * is the better wait. Safe either way: the script claims and appends in one step, so if it
 * still runs later the redelivery is a duplicate and skipped, and if it never runs the
 * redelivery is stored.
 */
const APPEND_DEADLINE_MS = 1_000;

function withinDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`inbox append took over ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

export class RedisInbox implements InboxWriter {
  readonly partitions: number;
  private readonly redis: InboxRedis;
  private readonly keys: RedisKeys;
  private readonly options: RedisInboxOptions;
  private readonly name: string;
  private readonly connect: () => RedisClient;
  /** Appends queued in this turn of the event loop, by partition (see `enqueue`). */
  private turn: Map<number, { entries: NewEntry[]; done: PromiseWithResolvers<number[] | -1> }> | undefined;

  /** `connect` opens a connection a reader may block on (one per partition read). */
  constructor(redis: RedisClient, keys: RedisKeys, connect: () => RedisClient, options: RedisInboxOptions) {
    this.redis = redis as InboxRedis;
    this.keys = keys;
    this.connect = connect;
    this.options = options;
    this.name = options.name ?? 'inbox';
    this.partitions = options.partitions;
    // defineCommand is per connection; defining it again on a shared one is harmless.
    this.redis.defineCommand('inboxAppend', { lua: APPEND });
    this.redis.defineCommand('inboxRenew', { numberOfKeys: 1, lua: RENEW });
    this.redis.defineCommand('inboxRelease', { numberOfKeys: 1, lua: RELEASE });
  }

  private k(partition: number) {
    return this.keys.inbox(this.name, partition);
  }

  async append(entries: NewEntry[]): Promise<AppendOutcome> {
    const byPartition = new Map<number, NewEntry[]>();
    for (const entry of entries) {
      const p = partitionOf(entry.key, this.partitions);
      byPartition.set(p, [...(byPartition.get(p) ?? []), entry]);
    }
    const results = await withinDeadline(Promise.all([...byPartition].map(([p, group]) => this.enqueue(p, group))), APPEND_DEADLINE_MS);
    if (results.some((r) => r === -1)) return { status: 'full' };
    const flags = results.flatMap((r) => r as number[]);
    const appended = flags.filter((f) => f === 1).length;
    return { status: 'accepted', appended, duplicates: flags.length - appended };
  }

  /**
   * Appends wait for the end of the event loop's turn, and every webhook that reached its
   * append in that turn goes out together: on one Redis in one script call (one socket
   * write, one read), on a cluster in one call per partition (each its own slot). Under load
   * a socket write per webhook was the web process's largest cost; alone, a webhook waits
   * for nothing (the turn ends as soon as its append is queued). Each webhook gets its own
   * entries' flags back; a partition over its depth refuses every webhook in the turn that
   * had entries for it.
   */
  private enqueue(partition: number, entries: NewEntry[]): Promise<number[] | -1> {
    if (!this.turn) {
      this.turn = new Map();
      setImmediate(() => this.flush());
    }
    let batch = this.turn.get(partition);
    if (!batch) {
      batch = { entries: [], done: Promise.withResolvers() };
      this.turn.set(partition, batch);
    }
    const from = batch.entries.length;
    batch.entries.push(...entries);
    return batch.done.promise.then((flags) => (flags === -1 ? -1 : flags.slice(from, from + entries.length)));
  }

  private flush(): void {
    const batches = [...(this.turn ?? [])];
    this.turn = undefined;
    // A script's keys must share a slot on a cluster, and the partitions are spread over the slots.
    const calls = this.redis.isCluster ? batches.map((batch) => [batch]) : [batches];
    for (const call of calls) {
      this.redis.inboxAppend(...this.appendArgs(call)).then(
        (results) => call.forEach(([, batch], i) => (results[i] === undefined ? batch.done.reject(new Error('inbox append: no result')) : batch.done.resolve(results[i]))),
        (error: unknown) => call.forEach(([, batch]) => batch.done.reject(error)),
      );
    }
  }

  /** The appending script's keys and arguments (see APPEND) for some partitions' entries. */
  private appendArgs(batches: [number, { entries: NewEntry[] }][]): (string | number)[] {
    const keys: string[] = [];
    const args: (string | number)[] = [this.options.maxDepthPerPartition, batches.length];
    for (const [partition, { entries }] of batches) {
      const k = this.k(partition);
      keys.push(k.stream, ...entries.filter((e) => e.eventId !== undefined).map((e) => k.seen(e.channel, e.eventId!)));
      args.push(entries.length);
      for (const e of entries) args.push(e.eventId !== undefined ? '1' : '0', this.options.seenTtlSeconds[e.channel], e.channel, e.key, e.data);
    }
    return [keys.length, ...keys, ...args];
  }

  /** Entries waiting or in progress, over every partition. */
  async depth(): Promise<number> {
    // Sent together, not as one pipeline: on a Redis Cluster the partitions live on several nodes.
    const lengths = await Promise.all(Array.from({ length: this.partitions }, (_, p) => this.redis.xlen(this.k(p).stream)));
    return lengths.reduce((sum, n) => sum + n, 0);
  }

  // ------------------------------------------------------------------ workers

  /** Registers a live worker until `ttlMs` from now; answers how many are live. */
  async heartbeat(worker: string, ttlMs: number): Promise<number> {
    const key = this.keys.inboxWorkers(this.name);
    const now = Date.now();
    const results = await this.redis.multi().zadd(key, now + ttlMs, worker).zremrangebyscore(key, '-inf', now).zcard(key).exec();
    return Number(results?.[2]?.[1] ?? 1);
  }

  async leave(worker: string): Promise<void> {
    await this.redis.zrem(this.keys.inboxWorkers(this.name), worker);
  }

  async acquire(partition: number, worker: string, leaseMs: number): Promise<boolean> {
    return (await this.redis.set(this.k(partition).lease, worker, 'PX', leaseMs, 'NX')) === 'OK';
  }

  async renew(partition: number, worker: string, leaseMs: number): Promise<boolean> {
    return (await this.redis.inboxRenew(this.k(partition).lease, worker, leaseMs)) === 1;
  }

  async holds(partition: number, worker: string): Promise<boolean> {
    return (await this.redis.get(this.k(partition).lease)) === worker;
  }

  async release(partition: number, worker: string): Promise<void> {
    await this.redis.inboxRelease(this.k(partition).lease, worker);
  }

  /**
   * Makes the partition's group if need be and moves every pending entry (a dead or former
   * consumer's) to `worker`, which reads them before anything new.
   */
  async takeOver(partition: number, worker: string): Promise<number> {
    const stream = this.k(partition).stream;
    try {
      await this.redis.xgroup('CREATE', stream, GROUP, '0', 'MKSTREAM');
    } catch (error) {
      if (!String((error as Error).message).includes('BUSYGROUP')) throw error;
    }
    let cursor = '0-0';
    let moved = 0;
    do {
      const [next, claimed] = (await this.redis.call('XAUTOCLAIM', stream, GROUP, worker, 0, cursor, 'COUNT', 1000, 'JUSTID')) as [string, string[]];
      cursor = next;
      moved += claimed.length;
    } while (cursor !== '0-0');
    return moved;
  }

  /** A reader of one partition on a connection of its own (new entries are awaited with BLOCK). */
  reader(partition: number, worker: string): PartitionReader {
    return new PartitionReader(this.connect(), this.k(partition).stream, worker, (ids) => this.ack(partition, ids));
  }

  /**
   * Acknowledges and deletes handled entries, so the stream's length stays its depth. On the
   * shared connection: a reader's own is cut when its loop stops, and a batch handled just
   * before must still be acknowledged, or the next worker would handle it again.
   */
  async ack(partition: number, ids: string[]): Promise<void> {
    if (!ids.length) return;
    const stream = this.k(partition).stream;
    await this.redis.multi().xack(stream, GROUP, ...ids).xdel(stream, ...ids).exec();
  }
}

export class PartitionReader {
  private readonly redis: RedisClient;
  private readonly stream: string;
  private readonly worker: string;
  /** Pending entries found deleted so far (see `pending`). */
  private goneCount = 0;
  /** Acknowledges handled entries (RedisInbox.ack). */
  readonly done: (ids: string[]) => Promise<void>;

  constructor(redis: RedisClient, stream: string, worker: string, done: (ids: string[]) => Promise<void>) {
    this.redis = redis;
    this.done = done;
    // Outages surface as failed reads, which the worker logs; the events would only repeat them.
    this.redis.on('error', () => undefined);
    this.stream = stream;
    this.worker = worker;
  }

  /**
   * This worker's entries read before but not acknowledged (failed, or taken over), oldest
   * first; none means none is pending (entries deleted meanwhile are acknowledged and read past).
   */
  async pending(count: number): Promise<InboxEntry[]> {
    for (;;) {
      const before = this.goneCount;
      const entries = await this.read(['COUNT', count, 'STREAMS', this.stream, '0']);
      if (entries.length || this.goneCount === before) return entries;
    }
  }

  /** New entries, waiting up to `blockMs` for one. */
  next(count: number, blockMs: number): Promise<InboxEntry[]> {
    return this.read(['COUNT', count, 'BLOCK', blockMs, 'STREAMS', this.stream, '>']);
  }

  /** Ends a blocked read at once. */
  close(): void {
    this.redis.disconnect();
  }

  private async read(args: (string | number)[]): Promise<InboxEntry[]> {
    const reply = (await this.redis.call('XREADGROUP', 'GROUP', GROUP, this.worker, ...args)) as StreamReply;
    const items = streamItems(reply);
    const entries: InboxEntry[] = [];
    const gone: string[] = [];
    for (const [id, fields] of items) {
      // A pending entry deleted meanwhile comes back without fields: nothing left to do.
      if (!fields) {
        gone.push(id);
        continue;
      }
      const map: Record<string, string> = {};
      for (let i = 0; i < fields.length; i += 2) map[fields[i]!] = fields[i + 1]!;
      entries.push({ id, channel: map.c as Channel, key: map.k ?? '', data: map.d ?? '', acceptedAt: Number(id.split('-')[0]) });
    }
    await this.done(gone);
    this.goneCount += gone.length;
    return entries;
  }
}
