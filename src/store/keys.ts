/**
 * Every Redis key mendan-navi writes, in one place. `prefix` isolates deployments and tests.
 *
 * The names are laid out for Redis Cluster, where a script or MULTI may only touch keys of
 * one hash slot (the part of a name in `{...}` picks the slot):
 * - a user's keys (session, record, reminder index) and the audience index they are counted
 *   in share `{u:<channel>:<shard>}`, a user's shard being a stable hash of their id
 *   (`userShard`, USER_SHARDS per channel), so updating, removing or sweeping a user is one
 *   slot and the users spread over the slots;
 * - a broadcast's keys (record, chunks, freeze marks, counted chunks) share `{b:<id>}`;
 * - every handoff key shares `{h}` (few, small; its scripts join a user's pointer, the
 *   record and the staff inbox);
 * - BullMQ's keys share `{bull}` (BullMQ's own rule on a cluster), the inbox's partitions
 *   and the insights counters have their tags (below).
 * Renaming any of these strands data: `layout.ts` moves a deployment's keys once.
 */
import type { Channel, UserRef } from '../conversation/types.ts';
import { fnv1a } from './fnv1a.ts';

/**
 * Shards per channel. Fixed: a user's keys are named by their shard, so changing it needs
 * a migration like `layout.ts`. 64 spreads a channel over the slots of a few dozen masters
 * and keeps an audience preview at 64 small reads.
 */
export const USER_SHARDS = 64;

/** A user's shard: FNV-1a of the id's UTF-16 code units, modulo USER_SHARDS. Never change it. */
export function userShard(id: string): number {
  return fnv1a(id) % USER_SHARDS;
}

/** Every shard number, in order. */
export const SHARDS: readonly number[] = Array.from({ length: USER_SHARDS }, (_, i) => i);

/** What names a shard's exclusion counter after its audience counts key (`audienceExclusions`). */
export const EXCLUSIONS_SUFFIX = ':exclusions';

/** Version of the key layout this code reads and writes (layout.ts). */
export const KEY_LAYOUT_VERSION = 2;

export function redisKeys(prefix: string) {
  const user = (u: UserRef) => `${u.channel}:${u.id}`;
  /** The hash tag of one shard of a channel's users. */
  const shardTag = (channel: Channel, shard: number) => `${prefix}{u:${channel}:${shard}}`;
  const ofUser = (u: UserRef) => shardTag(u.channel, userShard(u.id));
  const broadcastTag = (id: string) => `${prefix}{b:${id}}`;
  const handoffTag = `${prefix}{h}`;
  return {
    prefix,
    /** Set once the deployment's keys are in this layout; and the lock of the move (layout.ts). */
    layout: `${prefix}layout`,
    layoutLock: `${prefix}layout:lock`,
    session: (u: UserRef) => `${ofUser(u)}:session:${u.id}`,
    user: (u: UserRef) => `${ofUser(u)}:user:${u.id}`,
    /** Where the user hashes of one shard are named: the prefix, then the user id. */
    userPrefix: (channel: Channel, shard: number) => `${shardTag(channel, shard)}:user:`,
    /** Set of the ids of one shard of a channel's users (audiences scan the shards in turn). */
    usersOf: (channel: Channel, shard: number) => `${shardTag(channel, shard)}:users`,
    dedupe: (scope: string, id: string) => `${prefix}dedupe:${scope}:${id}`,
    /** Hash of the reminder job ids currently scheduled for a user. */
    reminderJobs: (u: UserRef) => `${ofUser(u)}:reminders:${u.id}`,
    /**
     * Reminders due in the same second that say the same words, sent as one multicast
     * (reminder-batches.ts): who is in which batch, a batch's members, its frozen plan.
     * One hash tag per due second, so each script touches one slot.
     */
    reminderBatches: (due: number) => {
      const tag = `${prefix}{rb:${due}}`;
      return { memberOf: `${tag}:member-of`, members: (group: string) => `${tag}:batch:${group}`, plan: (group: string) => `${tag}:plan:${group}` };
    },
    /** BullMQ queues live under this prefix (BullMQ names its own keys below it); hash-tagged for a cluster. */
    queuePrefix: `${prefix}{bull}`,
    /** Hash of one broadcast: what, to whom, status, progress counters. */
    broadcast: (id: string) => broadcastTag(id),
    /** Sorted set of broadcast ids by creation time (the staff list). */
    broadcasts: `${prefix}broadcasts`,
    /** Hash `<channel>:<n>` -> one frozen chunk of the audience, per freezing run. */
    broadcastChunks: (id: string, run: number) => `${broadcastTag(id)}:chunks:${run}`,
    /** Set of the users a freezing run has already taken (SSCAN may return an id twice). */
    broadcastSeen: (id: string, run: number) => `${broadcastTag(id)}:seen:${run}`,
    /** Set of the chunks whose outcome has been counted. */
    broadcastDone: (id: string) => `${broadcastTag(id)}:done`,
    /** The broadcast one staff member created with one Idempotency-Key (the key is hashed). */
    broadcastIdempotency: (staff: string, keyHash: string) => `${prefix}broadcast-idem:${staff}:${keyHash}`,
    /** Hash audience bucket (`<locale>|<verdict>|<exclusion>`) -> users in it, per shard (store/audience-index.ts). */
    audienceCounts: (channel: Channel, shard: number) => `${shardTag(channel, shard)}:audience:counts`,
    /**
     * Counter of one shard's exclusions: bumped whenever a user of the shard is blocked,
     * unreachable, opted out or deleted (the index's script names it from the counts key).
     * A broadcast re-reads a chunk's users only in shards whose counter moved since the
     * freeze read them. Never expires nor goes back: an equal value means nothing happened.
     */
    audienceExclusions: (channel: Channel, shard: number) => `${shardTag(channel, shard)}:audience:counts${EXCLUSIONS_SUFFIX}`,
    /** Sorted set of the users of one shard and audience bucket who have a meeting, scored by its time. */
    audienceMeetings: (channel: Channel, shard: number, bucket: string) => `${shardTag(channel, shard)}:audience:meetings:${bucket}`,
    /** Set once every record of the channel is in the audience index. */
    audienceIndexed: (channel: Channel) => `${prefix}audience:indexed:${channel}`,
    /** Scratch set de-duplicating the users of one audience preview. */
    audienceScratch: (token: string) => `${prefix}audience-scratch:${token}`,
    /** Stream of staff actions (audit log). */
    adminAudit: `${prefix}admin:audit`,
    /** Namespace of the admin API's rate-limit counters. */
    adminRateLimit: `${prefix}admin:ratelimit:`,
    /** Hash of one advisor handoff (src/handoff/): who, status, who took it, the Slack thread. */
    handoff: (id: string) => `${handoffTag}:handoff:${id}`,
    /** Hash message id -> message, and the list of message ids in order, of one handoff. */
    handoffMessages: (id: string) => `${handoffTag}:handoff:${id}:messages`,
    handoffOrder: (id: string) => `${handoffTag}:handoff:${id}:order`,
    /** Sorted set of handoff ids by creation time (the staff inbox). */
    handoffs: `${handoffTag}:handoffs`,
    /** The id of a user's handoff that is not ended yet. */
    handoffActive: (u: UserRef) => `${handoffTag}:handoff-active:${user(u)}`,
    /** Set of every handoff id of a user (deleted with their data). */
    handoffsOf: (u: UserRef) => `${handoffTag}:handoffs-of:${user(u)}`,
    /** The handoff whose staff-channel message is `ts` (its thread is the conversation). */
    handoffThread: (channel: string, ts: string) => `${handoffTag}:handoff-thread:${channel}:${ts}`,
    /**
     * Insights counters (src/store/insights.ts): a hash per day of the deployment's time zone
     * (metric -> count, no personal data) and the broadcasts of the last day, for opt-out
     * attribution. One hash tag, so a script may touch both on a Redis Cluster.
     */
    insightsDay: (day: string) => `${prefix}{insights}:day:${day}`,
    insightsRecentBroadcasts: `${prefix}{insights}:recent-broadcasts`,
    /**
     * The inbox (src/store/inbox.ts), one stream per partition. Every key of a partition
     * shares one hash tag, so the accepting script touches one slot on a Redis Cluster and
     * partitions spread over the slots. `name` separates inboxes on one prefix (tests).
     */
    inbox: (name: string, partition: number) => {
      const tag = `${prefix}{${name}:${partition}}`;
      return {
        stream: `${tag}:stream`,
        lease: `${tag}:lease`,
        seen: (channel: Channel, eventId: string) => `${tag}:seen:${channel}:${eventId}`,
      };
    },
    /** Sorted set of the live inbox workers (score: when their heartbeat expires). */
    inboxWorkers: (name: string) => `${prefix}${name}:workers`,
    /** Keys that belong to one user (one slot), deleted together on request. */
    ownedBy: (u: UserRef) => [`${ofUser(u)}:session:${u.id}`, `${ofUser(u)}:user:${u.id}`, `${ofUser(u)}:reminders:${u.id}`],
  };
}
export type RedisKeys = ReturnType<typeof redisKeys>;
