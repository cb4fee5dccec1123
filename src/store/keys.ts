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
    /** BullMQ queues live under this prefix (BullMQ names its own keys below it). */
    queuePrefix: `${prefix}bull`,
    /** Keys that belong to one user, deleted together on request. */
    ownedBy: (u: UserRef) => [`${prefix}session:${user(u)}`, `${prefix}user:${user(u)}`, `${prefix}reminders:${user(u)}`],
  };
}
export type RedisKeys = ReturnType<typeof redisKeys>;
