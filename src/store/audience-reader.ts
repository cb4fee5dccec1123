/**
 * Reads users the way audiences need them, fast: only the fields a filter looks at, with
 * HMGET in pipelines, instead of whole records. A million users is a million hashes to
 * read at the freeze and again just before sending; whole records (HGETALL, every field
 * decoded) make that minutes of CPU, these few fields seconds.
 *
 * It reads the store's user hashes directly (keys.ts names them) and decodes each field with
 * the store's own codec; test/broadcast-users.test.ts writes users through the store and
 * reads them back here.
 */
import type { Redis } from 'ioredis';
import type { Channel } from '../conversation/types.ts';
import { AudienceIndex } from './audience-index.ts';
import type { RedisKeys } from './keys.ts';
import { decodeUserField } from './user-codec.ts';
import type { AudienceUser } from '../jobs/broadcast/filter.ts';

/** Where audiences come from: the store's users, or this faster reader of the same data. */
export interface AudienceSource {
  scan(channel: Channel, batchSize?: number): AsyncIterable<AudienceUser[]>;
  /** Counts kept with the records, when the source has them (store/audience-index.ts). */
  index?: Pick<AudienceIndex, 'ready' | 'audienceBuckets'>;
}

/** One SSCAN page of a channel's users at a time, from a cursor a caller may keep (a resumable freeze). */
export interface AudiencePages {
  page(channel: Channel, cursor: string, count: number): Promise<{ next: string; users: AudienceUser[] }>;
}

/** Whether each user may still be sent to right now (exists, not blocked, not unreachable, not opted out). */
export type RecipientCheck = (channel: Channel, ids: readonly string[]) => Promise<boolean[]>;

const FIELDS = ['locale', 'optedOut', 'blocked', 'unreachable', 'verdict', 'meetingAt'] as const;
const FLAGS = ['optedOut', 'blocked', 'unreachable'] as const;

const parse = (value: string | null): unknown => (value === null ? undefined : decodeUserField(value));

/**
 * HMGET of the same fields from many hashes in one command, as one string: rows split by
 * \x1e, fields by \x1f, a missing field empty. A pipeline of a thousand HMGETs costs the
 * client a thousand commands and the decoding of six thousand replies; this costs one of
 * each. (Stored values are JSON, which never holds a raw control character.)
 */
const HMGET_MANY = `
local rows = {}
for i = 1, #KEYS do
  local row = redis.call('HMGET', KEYS[i], unpack(ARGV))
  for j = 1, #ARGV do
    if not row[j] then row[j] = '' end
  end
  rows[i] = table.concat(row, '\\31')
end
return table.concat(rows, '\\30')
`;

export class AudienceReader implements AudienceSource, AudiencePages {
  private readonly redis: Redis;
  private readonly keys: RedisKeys;
  /** The audience counts kept with the user records. */
  readonly index: AudienceIndex;

  constructor(redis: Redis, keys: RedisKeys) {
    this.redis = redis;
    this.keys = keys;
    this.index = new AudienceIndex(redis, keys);
  }

  async *scan(channel: Channel, batchSize = 1000): AsyncIterable<AudienceUser[]> {
    // The next batch is read while the caller works on this one: Redis and we overlap.
    let pending: Promise<{ next: string; users: AudienceUser[] }> | undefined = this.page(channel, '0', batchSize);
    while (pending) {
      const { next, users }: { next: string; users: AudienceUser[] } = await pending;
      pending = next === '0' ? undefined : this.page(channel, next, batchSize);
      if (users.length) yield users;
    }
  }

  async page(channel: Channel, cursor: string, count: number): Promise<{ next: string; users: AudienceUser[] }> {
    const [next, ids] = await this.redis.sscan(this.keys.usersOf(channel), cursor, 'COUNT', count);
    const rows = await this.fields(channel, ids, FIELDS);
    const users: AudienceUser[] = [];
    for (const [i, row] of rows.entries()) {
      // No locale: the hash is gone (the user deleted their data after the id set was read).
      if (row[0] === null) continue;
      const [locale, optedOut, blocked, unreachable, verdict, meetingAt] = row.map(parse);
      users.push({
        channel,
        id: ids[i]!,
        locale: locale as AudienceUser['locale'],
        optedOut: optedOut === true,
        blocked: blocked === true,
        unreachable: unreachable === true,
        ...(verdict ? { verdict: verdict as AudienceUser['verdict'] } : {}),
        ...(meetingAt ? { meetingAt: meetingAt as string } : {}),
      });
    }
    return { next, users };
  }

  readonly stillWanted: RecipientCheck = async (channel, ids) => {
    const rows = await this.fields(channel, ids, ['locale', ...FLAGS]);
    return rows.map(([locale, ...flags]) => locale !== null && flags.every((flag) => parse(flag) !== true));
  };

  private async fields(channel: Channel, ids: readonly string[], fields: readonly string[]): Promise<(string | null)[][]> {
    if (ids.length === 0) return [];
    const keys = ids.map((id) => this.keys.user({ channel, id }));
    const joined = (await this.redis.eval(HMGET_MANY, keys.length, ...keys, ...fields)) as string;
    // No stored value is empty (each is JSON), so an empty field is a missing one.
    return joined.split('\x1e').map((row) => row.split('\x1f').map((v) => (v === '' ? null : v)));
  }
}
