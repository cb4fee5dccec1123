/** Every Redis key mendan-navi writes, in one place. `prefix` isolates deployments and tests. */
import type { Channel, UserRef } from '../conversation/types.ts';

export function redisKeys(prefix: string) {
  const user = (u: UserRef) => `${u.channel}:${u.id}`;
  return {
    prefix,
    session: (u: UserRef) => `${prefix}session:${user(u)}`,
    user: (u: UserRef) => `${prefix}user:${user(u)}`,
    /** Set of the ids of a channel's users (audiences scan it). */
    usersOf: (channel: Channel) => `${prefix}users:${channel}`,
    dedupe: (scope: string, id: string) => `${prefix}dedupe:${scope}:${id}`,
    /** Hash of the reminder job ids currently scheduled for a user. */
    reminderJobs: (u: UserRef) => `${prefix}reminders:${user(u)}`,
    /**
     * Reminders due in the same second that say the same words, sent as one multicast
     * (reminder-batches.ts): who is in which batch, a batch's members, its frozen plan.
     * One hash tag per due second, so each script touches one slot.
     */
    reminderBatches: (due: number) => {
      const tag = `${prefix}{rb:${due}}`;
      return { memberOf: `${tag}:member-of`, members: (group: string) => `${tag}:batch:${group}`, plan: (group: string) => `${tag}:plan:${group}` };
    },
    /** BullMQ queues live under this prefix (BullMQ names its own keys below it). */
    queuePrefix: `${prefix}bull`,
    /** Hash of one broadcast: what, to whom, status, progress counters. */
    broadcast: (id: string) => `${prefix}broadcast:${id}`,
    /** Sorted set of broadcast ids by creation time (the staff list). */
    broadcasts: `${prefix}broadcasts`,
    /** Hash `<channel>:<n>` -> one frozen chunk of the audience, per freezing run. */
    broadcastChunks: (id: string, run: number) => `${prefix}broadcast:${id}:chunks:${run}`,
    /** Set of the users a freezing run has already taken (SSCAN may return an id twice). */
    broadcastSeen: (id: string, run: number) => `${prefix}broadcast:${id}:seen:${run}`,
    /** Set of the chunks whose outcome has been counted. */
    broadcastDone: (id: string) => `${prefix}broadcast:${id}:done`,
    /** The broadcast one staff member created with one Idempotency-Key (the key is hashed). */
    broadcastIdempotency: (staff: string, keyHash: string) => `${prefix}broadcast-idem:${staff}:${keyHash}`,
    /** Hash audience bucket (`<locale>|<verdict>|<exclusion>`) -> users in it (store/audience-index.ts). */
    audienceCounts: (channel: Channel) => `${prefix}audience:counts:${channel}`,
    /** Sorted set of the users of one audience bucket who have a meeting, scored by its time. */
    audienceMeetings: (channel: Channel, bucket: string) => `${prefix}audience:meetings:${channel}:${bucket}`,
    /** Set once every record of the channel is in the audience index. */
    audienceIndexed: (channel: Channel) => `${prefix}audience:indexed:${channel}`,
    /** Scratch set de-duplicating the users of one audience preview. */
    audienceScratch: (token: string) => `${prefix}audience-scratch:${token}`,
    /** Stream of staff actions (audit log). */
    adminAudit: `${prefix}admin:audit`,
    /** Namespace of the admin API's rate-limit counters. */
    adminRateLimit: `${prefix}admin:ratelimit:`,
    /** Hash of one advisor handoff (src/handoff/): who, status, who took it, the Slack thread. */
    handoff: (id: string) => `${prefix}handoff:${id}`,
    /** Hash message id -> message, and the list of message ids in order, of one handoff. */
    handoffMessages: (id: string) => `${prefix}handoff:${id}:messages`,
    handoffOrder: (id: string) => `${prefix}handoff:${id}:order`,
    /** Sorted set of handoff ids by creation time (the staff inbox). */
    handoffs: `${prefix}handoffs`,
    /** The id of a user's handoff that is not ended yet. */
    handoffActive: (u: UserRef) => `${prefix}handoff-active:${user(u)}`,
    /** Set of every handoff id of a user (deleted with their data). */
    handoffsOf: (u: UserRef) => `${prefix}handoffs-of:${user(u)}`,
    /** The handoff whose staff-channel message is `ts` (its thread is the conversation). */
    handoffThread: (channel: string, ts: string) => `${prefix}handoff-thread:${channel}:${ts}`,
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
    /** Keys that belong to one user, deleted together on request. */
    ownedBy: (u: UserRef) => [`${prefix}session:${user(u)}`, `${prefix}user:${user(u)}`, `${prefix}reminders:${user(u)}`],
  };
}
export type RedisKeys = ReturnType<typeof redisKeys>;
