/** The same store in process memory, for `npm run chat` without Redis. */
import type { Session } from '../conversation/session.ts';
import type { Channel, UserRef } from '../conversation/types.ts';
import { bucketsOf, type AudienceBucket, type MeetingWindow } from './audience-index.ts';
import { MemoryHandoffs } from './memory-handoffs.ts';
import { MemoryInsights } from './insights.ts';
import { applyUserPatch, defaultUserRecord, type Store, type UserPatch, type UserRecord, type Versioned } from './types.ts';

const keyOf = (u: UserRef) => `${u.channel}:${u.id}`;

export class MemoryStore implements Store {
  private readonly sessionMap = new Map<string, { version: number; data: string; expiresAt: number }>();
  private readonly userMap = new Map<string, UserRecord>();
  private readonly claims = new Map<string, number>();
  private readonly clock: () => Date;
  private readonly ttlMs: number;
  /** Advisor handoffs (the chat offers none: no staff route; here for the shared suite). */
  readonly handoffs = new MemoryHandoffs();
  /** Insights counters (the chat counts nothing; here for the shared suite). */
  readonly insights = new MemoryInsights();

  constructor(options: { sessionTtlSeconds: number; clock?: () => Date }) {
    this.ttlMs = options.sessionTtlSeconds * 1000;
    this.clock = options.clock ?? (() => new Date());
  }

  private now(): number {
    return this.clock().getTime();
  }

  sessions = {
    get: async (user: UserRef): Promise<Versioned<Session> | undefined> => {
      const entry = this.sessionMap.get(keyOf(user));
      if (!entry || entry.expiresAt <= this.now()) return undefined;
      // A copy, as Redis would give: callers must not share objects with the store.
      return { version: entry.version, value: JSON.parse(entry.data) as Session };
    },
    compareAndSet: async (user: UserRef, expected: number, session: Session, ttlSeconds?: number): Promise<boolean> => {
      const entry = this.sessionMap.get(keyOf(user));
      const current = entry && entry.expiresAt > this.now() ? entry.version : 0;
      if (current !== expected) return false;
      this.sessionMap.set(keyOf(user), {
        version: expected + 1,
        data: JSON.stringify(session),
        expiresAt: this.now() + (ttlSeconds !== undefined ? ttlSeconds * 1000 : this.ttlMs),
      });
      return true;
    },
  };

  users = {
    get: async (user: UserRef): Promise<UserRecord | undefined> => {
      const record = this.userMap.get(keyOf(user));
      return record && structuredClone(record);
    },
    update: async (user: UserRef, patch: UserPatch): Promise<UserRecord> => {
      const current = this.userMap.get(keyOf(user)) ?? defaultUserRecord(user, this.clock());
      const next = applyUserPatch(current, { ...patch, updatedAt: this.clock().toISOString() });
      this.userMap.set(keyOf(user), next);
      return structuredClone(next);
    },
    scan: (channel: Channel, batchSize = 500): AsyncIterable<UserRecord[]> => this.scanUsers(channel, batchSize),
    audienceBuckets: async (channel: Channel, window: MeetingWindow): Promise<AudienceBucket[]> =>
      bucketsOf([...this.userMap.values()].filter((u) => u.channel === channel), window),
  };

  dedupe = {
    claim: async (scope: string, id: string, ttlSeconds: number): Promise<boolean> => {
      const key = `${scope}:${id}`;
      const until = this.claims.get(key);
      if (until !== undefined && until > this.now()) return false;
      this.claims.set(key, this.now() + ttlSeconds * 1000);
      return true;
    },
    release: async (scope: string, id: string): Promise<void> => {
      this.claims.delete(`${scope}:${id}`);
    },
    confirm: async (scope: string, id: string, ttlSeconds: number): Promise<void> => {
      this.claims.set(`${scope}:${id}`, this.now() + ttlSeconds * 1000);
    },
  };

  private async *scanUsers(channel: Channel, batchSize: number): AsyncIterable<UserRecord[]> {
    const all = [...this.userMap.values()].filter((u) => u.channel === channel).map((u) => structuredClone(u));
    for (let i = 0; i < all.length; i += batchSize) yield all.slice(i, i + batchSize);
  }

  async deleteUser(user: UserRef): Promise<void> {
    this.sessionMap.delete(keyOf(user));
    this.userMap.delete(keyOf(user));
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {}
}
