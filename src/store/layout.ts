/**
 * Moves a deployment's keys from the layout before Redis Cluster support (plain names such
 * as `<prefix>user:<channel>:<id>`, `<prefix>bull:...`) into this version's hash-tagged
 * names (keys.ts), once, at startup, before the process serves anything.
 *
 * - Runs only on a standalone Redis (the earlier layout could not run on a cluster, whose
 *   deployments start in this layout). `<prefix>layout` holds the layout version once done.
 * - One process moves the keys, holding a lock (SET NX with a TTL it renews); the others
 *   wait for the version key. A process killed halfway leaves its lock to expire, and the
 *   next start goes on: every step is safe to repeat (a key already moved is not found
 *   under its old name again; id sets are copied with SADD before they are dropped).
 * - Keys are moved with RENAME (same value, same TTL). A channel's id set is split into
 *   its shards' sets. The audience index is dropped and rebuilt by the broadcast worker's
 *   `AudienceIndex.build` at its start (records lose their old entry in the same MULTI that
 *   moves them, so the build indexes each once).
 * - BullMQ's keys (`<prefix>bull:*`) move to `<prefix>{bull}:*`, so scheduled reminders and
 *   queued broadcast chunks fire after the move. Every process of the earlier version must
 *   be stopped first (docs/operations.md, "Redis Cluster").
 */
import { randomUUID } from 'node:crypto';
import { Cluster } from 'ioredis';
import { CHANNELS, type Channel } from '../conversation/types.ts';
import { INDEX_FIELD } from './audience-index.ts';
import { KEY_LAYOUT_VERSION, userShard, type RedisKeys } from './keys.ts';
import type { RedisClient } from './redis-connection.ts';

export interface LayoutMigration {
  /** The version found (0: none recorded). */
  from: number;
  /** Keys moved or split by this process. */
  moved: number;
}

const LOCK_TTL_SECONDS = 60;

/** A user record moves without its old audience index entry, in one step (a rerun could not tell it apart). */
const RENAME_RECORD = `
redis.call('RENAME', KEYS[1], KEYS[2])
redis.call('HDEL', KEYS[2], ARGV[1])
`;
const PAGE = 1_000;

const isChannel = (value: string): value is Channel => (CHANNELS as readonly string[]).includes(value);

/** What one key of the earlier layout becomes: a new name, a set to split, or nothing (dropped). */
type Move = { rename: string; dropIndexEntry?: boolean } | { split: Channel } | { drop: true } | undefined;

/** The new name of a key of the earlier layout (`rel`: its name without the prefix). */
export function movedKey(keys: RedisKeys, rel: string): Move {
  const p = keys.prefix;
  const userKey = /^(session|user|reminders):([^:]+):(.+)$/.exec(rel);
  if (userKey && isChannel(userKey[2]!)) {
    const user = { channel: userKey[2], id: userKey[3]! };
    if (userKey[1] === 'session') return { rename: keys.session(user) };
    if (userKey[1] === 'user') return { rename: keys.user(user), dropIndexEntry: true };
    return { rename: keys.reminderJobs(user) };
  }
  const idSet = /^users:([^:]+)$/.exec(rel);
  if (idSet && isChannel(idSet[1]!)) return { split: idSet[1] };
  if (/^audience:(counts|meetings|indexed):/.test(rel)) return { drop: true };
  const broadcast = /^broadcast:([^:]+)(:(chunks|seen):\d+|:done)?$/.exec(rel);
  if (broadcast) return { rename: `${keys.broadcast(broadcast[1]!)}${broadcast[2] ?? ''}` };
  if (/^(handoffs|handoff:|handoff-active:|handoffs-of:|handoff-thread:)/.test(rel)) return { rename: `${p}{h}:${rel}` };
  if (rel.startsWith('bull:')) return { rename: `${keys.queuePrefix}:${rel.slice('bull:'.length)}` };
  return undefined;
}

export async function migrateLayout(redis: RedisClient, keys: RedisKeys, log: (message: string) => void = () => undefined): Promise<LayoutMigration> {
  const found = Number((await redis.get(keys.layout)) ?? 0);
  if (found >= KEY_LAYOUT_VERSION) return { from: found, moved: 0 };
  if (redis instanceof Cluster) {
    await redis.set(keys.layout, String(KEY_LAYOUT_VERSION), 'NX');
    return { from: found, moved: 0 };
  }
  const token = randomUUID();
  for (;;) {
    if ((await redis.set(keys.layoutLock, token, 'EX', LOCK_TTL_SECONDS, 'NX')) === 'OK') break;
    // Another process is moving the keys: wait for it to finish (or for its lock to lapse).
    await new Promise((resolve) => setTimeout(resolve, 200));
    const now = Number((await redis.get(keys.layout)) ?? 0);
    if (now >= KEY_LAYOUT_VERSION) return { from: found, moved: 0 };
  }
  try {
    // The lock may have been taken just after the holder finished.
    if (Number((await redis.get(keys.layout)) ?? 0) >= KEY_LAYOUT_VERSION) return { from: found, moved: 0 };
    log(`moving Redis keys under "${keys.prefix}" to key layout ${KEY_LAYOUT_VERSION}`);
    const moved = await moveKeys(redis, keys, token);
    await redis.set(keys.layout, String(KEY_LAYOUT_VERSION));
    log(`moved ${moved} Redis keys to key layout ${KEY_LAYOUT_VERSION}`);
    return { from: found, moved };
  } finally {
    if ((await redis.get(keys.layoutLock)) === token) await redis.del(keys.layoutLock);
  }
}

async function moveKeys(redis: RedisClient, keys: RedisKeys, token: string): Promise<number> {
  let moved = 0;
  let cursor = '0';
  do {
    const [next, names] = await redis.scan(cursor, 'MATCH', `${escapeGlob(keys.prefix)}*`, 'COUNT', PAGE);
    cursor = next;
    const splits: Channel[] = [];
    const tx = redis.pipeline();
    for (const name of names) {
      const move = movedKey(keys, name.slice(keys.prefix.length));
      if (!move) continue;
      moved++;
      if ('split' in move) splits.push(move.split);
      else if ('drop' in move) tx.del(name);
      else if (move.dropIndexEntry) tx.eval(RENAME_RECORD, 2, name, move.rename, INDEX_FIELD);
      else tx.rename(name, move.rename);
    }
    // A key met twice by SCAN, or expired since, is no longer there: "no such key" is fine.
    for (const [error] of (await tx.exec()) ?? []) {
      if (error && !/no such key/i.test(error.message)) throw error;
    }
    for (const channel of splits) await splitIdSet(redis, keys, channel);
    if ((await redis.expire(keys.layoutLock, LOCK_TTL_SECONDS)) !== 1 || (await redis.get(keys.layoutLock)) !== token) {
      throw new Error('lost the key layout lock while moving keys');
    }
  } while (cursor !== '0');
  return moved;
}

/** Copies a channel's id set into its shards' sets, then drops it (a rerun copies again). */
async function splitIdSet(redis: RedisClient, keys: RedisKeys, channel: Channel): Promise<void> {
  const old = `${keys.prefix}users:${channel}`;
  let cursor = '0';
  do {
    const [next, ids] = await redis.sscan(old, cursor, 'COUNT', PAGE);
    cursor = next;
    const tx = redis.pipeline();
    for (const id of ids) tx.sadd(keys.usersOf(channel, userShard(id)), id);
    await tx.exec();
  } while (cursor !== '0');
  await redis.del(old);
}

const escapeGlob = (text: string): string => text.replace(/[*?[\]\\]/g, '\\$&');
