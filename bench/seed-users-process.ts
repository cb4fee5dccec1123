/**
 * Seeds the benchmark's users, in a process of its own so the allocations of writing a
 * million hashes do not count in the broadcaster's memory figure. Users go straight into
 * Redis in pipelines, in the store's encoding (a hash of JSON values plus the channel's id
 * set): a million store.users.update calls would take minutes. They are then what records
 * from before the audience index are, and the store's own `index.build` indexes them, as a
 * deployment's first worker start does. The benchmark reads a sample back through the
 * store and checks the preview's counts, so a change of encoding fails there, loudly.
 *
 * Environment: REDIS_URL, REDIS_PREFIX, AUDIENCE (users who get the tip), EXCLUDED (opted
 * out or blocked users on top). Ids are LINE-shaped: U + 32 hex digits of the user's number;
 * every fifth user speaks English.
 */
import { Redis } from 'ioredis';
import { redisKeys, userShard } from '../src/store/keys.ts';
import { RedisStore } from '../src/store/redis-store.ts';
import type { UserRecord } from '../src/store/types.ts';

const lineId = (n: number): string => `U${n.toString(16).padStart(32, '0')}`;

const audience = Number(process.env.AUDIENCE);
const excluded = Number(process.env.EXCLUDED);
const keys = redisKeys(process.env.REDIS_PREFIX!);
const redis = new Redis(process.env.REDIS_URL!);
const now = new Date().toISOString();
const total = audience + excluded;
const BATCH = 5_000;

for (let from = 0; from < total; from += BATCH) {
  const pipeline = redis.pipeline();
  const ids: string[] = [];
  for (let n = from; n < Math.min(total, from + BATCH); n++) {
    const record: UserRecord = {
      channel: 'line',
      id: lineId(n),
      locale: n % 5 === 0 ? 'en' : 'ja',
      timeZone: 'Asia/Tokyo',
      optedOut: n >= audience && n % 2 === 0,
      blocked: n >= audience && n % 2 === 1,
      unreachable: false,
      updatedAt: now,
    };
    pipeline.hset(keys.user(record), Object.fromEntries(Object.entries(record).map(([k, v]) => [k, JSON.stringify(v)])));
    ids.push(record.id);
  }
  for (const id of ids) pipeline.sadd(keys.usersOf('line', userShard(id)), id);
  await pipeline.exec();
}
await redis.quit();
const store = new RedisStore({ url: process.env.REDIS_URL!, prefix: process.env.REDIS_PREFIX!, sessionTtlSeconds: 3600 });
await store.audience.index.build('line');
await store.close();
