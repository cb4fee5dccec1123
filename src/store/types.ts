/**
 * Storage behind small interfaces. Redis serves production; the in-memory version serves
 * `npm run chat` and both pass the same conformance suite (test/store-conformance.test.ts).
 */
import type { Session } from '../conversation/session.ts';
import type { Channel, Locale, UserRef, Verdict } from '../conversation/types.ts';
import type { AudienceBucket, MeetingWindow } from './audience-index.ts';

export interface Versioned<T> {
  value: T;
  /** Starts at 1 with the first write; 0 means "no record" in compareAndSet. */
  version: number;
}

export interface SessionStore {
  get(user: UserRef): Promise<Versioned<Session> | undefined>;
  /**
   * Writes only if the stored version is still `expected` (0: none stored). False on conflict.
   * `ttlSeconds` overrides the store's session TTL for this write.
   */
  compareAndSet(user: UserRef, expected: number, session: Session, ttlSeconds?: number): Promise<boolean>;
}

/** What broadcasts and reminders need to know about a user, kept apart from the session. */
export interface UserRecord {
  channel: Channel;
  id: string;
  locale: Locale;
  timeZone: string;
  optedOut: boolean;
  /** The user blocked / unfollowed the bot. */
  blocked: boolean;
  /** The platform said the user cannot be reached (deleted account, channel gone). */
  unreachable: boolean;
  verdict?: Verdict;
  /** ISO instant of the meeting, when known. */
  meetingAt?: string;
  updatedAt: string;
}

export type UserPatch = Partial<Omit<UserRecord, 'channel' | 'id' | 'meetingAt' | 'verdict'>> & {
  meetingAt?: string | null;
  verdict?: Verdict | null;
};

export interface UserStore {
  get(user: UserRef): Promise<UserRecord | undefined>;
  /** Creates or updates; `null` in the patch removes an optional field. */
  update(user: UserRef, patch: UserPatch): Promise<UserRecord>;
  /** Every user of a channel, in batches, for audiences. */
  scan(channel: Channel, batchSize?: number): AsyncIterable<UserRecord[]>;
  /** How many users each audience bucket of a channel holds, kept up to date with every update (store/audience-index.ts). */
  audienceBuckets(channel: Channel, window: MeetingWindow): Promise<AudienceBucket[]>;
}

export interface DedupeStore {
  /** True the first time `id` is claimed within `ttlSeconds`; false for a repeat. */
  claim(scope: string, id: string, ttlSeconds: number): Promise<boolean>;
  /** Gives a claim back, so an event that failed can be processed on redelivery. */
  release(scope: string, id: string): Promise<void>;
  /**
   * Marks a claim as done and keeps it for `ttlSeconds`. Events are claimed briefly while
   * they are processed and confirmed once saved, so a process that dies mid-event leaves a
   * claim that expires soon and the platform's redelivery is processed.
   */
  confirm(scope: string, id: string, ttlSeconds: number): Promise<void>;
}

export interface Store {
  sessions: SessionStore;
  users: UserStore;
  dedupe: DedupeStore;
  /** Removes every key that belongs to the user. */
  deleteUser(user: UserRef): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export function defaultUserRecord(user: UserRef, now: Date): UserRecord {
  return {
    channel: user.channel,
    id: user.id,
    locale: 'ja',
    timeZone: 'Asia/Tokyo',
    optedOut: false,
    blocked: false,
    unreachable: false,
    updatedAt: now.toISOString(),
  };
}

export function applyUserPatch(record: UserRecord, patch: UserPatch): UserRecord {
  const next: Record<string, unknown> = { ...record };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete next[key];
    else if (value !== undefined) next[key] = value;
  }
  return next as unknown as UserRecord;
}
