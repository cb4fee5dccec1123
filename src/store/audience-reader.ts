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
import type { Channel } from '../conversation/types.ts';
import { AudienceIndex, INDEX_FIELD } from './audience-index.ts';
import { USER_SHARDS, userShard, type RedisKeys } from './keys.ts';
import type { RedisClient } from './redis-connection.ts';
import { decodeUserField } from './user-codec.ts';
import type { AudienceUser } from '../jobs/broadcast/filter.ts';

/** Where audiences come from: the store's users, or this faster reader of the same data. */
export interface AudienceSource {
  scan(channel: Channel, batchSize?: number): AsyncIterable<AudienceUser[]>;
  /** Counts kept with the records, when the source has them (store/audience-index.ts). */
  index?: Pick<AudienceIndex, 'ready' | 'audienceBuckets'>;
}

/**
 * One SSCAN page of a channel's users at a time, from a cursor a caller may keep (a
 * resumable freeze). The cursor walks the shards in turn (`<shard>:<SSCAN cursor>`); '0'
 * starts and ends the walk, as SSCAN's own does.
 */
export interface AudiencePages {
  page(channel: Channel, cursor: string, count: number): Promise<{ next: string; users: AudienceUser[] }>;
}

/**
 * Whether each user may still be sent to right now (exists, not blocked, not unreachable,
 * not opted out). `shards`: shard -> its exclusion counter when the users were read (every
 * user's shard listed); a shard whose counter has not moved since needs no reading.
 */
export type RecipientCheck = (channel: Channel, ids: readonly string[], shards?: Readonly<Record<string, number>>) => Promise<boolean[]>;

const FLAGS = ['optedOut', 'blocked', 'unreachable'] as const;

const parse = (value: string | null): unknown => (value === null ? undefined : decodeUserField(value));

/**
 * Reads many user hashes in one command, as one string (rows split by \x1e): a row is `#`
 * and the user's audience index entry (`<locale>|<verdict>|<exclusion>|<meeting ms>`, one
 * field, no JSON) when the record has one, else the fields asked for, split by \x1f, a
 * missing one empty (records from before the index). A pipeline of a thousand HMGETs costs
 * the client a thousand commands and the decoding of six thousand replies; this costs one.
 * (Stored values are JSON, which never holds a raw control character.)
 */
export const READ_ROW_LUA = `
local function read_row(key, fields)
  local entry = redis.call('HGET', key, '${INDEX_FIELD}')
  if entry then return '#' .. entry end
  local row = redis.call('HMGET', key, unpack(fields))
  for j = 1, #fields do
    if not row[j] then row[j] = '' end
  end
  return table.concat(row, '\\31')
end
`;

const READ_MANY = `${READ_ROW_LUA}
local rows = {}
for i = 1, #KEYS do rows[i] = read_row(KEYS[i], ARGV) end
return table.concat(rows, '\\30')
`;

/** The fields a record without an index entry is read by, in this order (`usersFromRows`). */
export const AUDIENCE_FIELDS = ['locale', 'optedOut', 'blocked', 'unreachable', 'verdict', 'meetingAt'] as const;

/** Rows as `read_row` returns them (joined by \x1e) to users; a row whose record is gone is left out. */
export function usersFromRows(channel: Channel, ids: readonly string[], joined: string): AudienceUser[] {
  if (ids.length === 0) return [];
  const users: AudienceUser[] = [];
  for (const [i, row] of joined.split('\x1e').entries()) {
    if (row.startsWith('#')) {
      users.push(fromEntry(channel, ids[i]!, row.slice(1)));
      continue;
    }
    // No stored value is empty (each is JSON), so an empty field is a missing one.
    const [locale, optedOut, blocked, unreachable, verdict, meetingAt] = row.split('\x1f').map((v) => (v === '' ? undefined : decodeUserField(v)));
    // No locale: the hash is gone (the user deleted their data after the id set was read).
    if (locale === undefined) continue;
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
  return users;
}

type ReaderRedis = RedisClient & {
  audienceReadMany(...args: string[]): Promise<string>;
  audienceScanRows(...args: string[]): Promise<[string, string, string, string]>;
};

/**
 * An SSCAN page of one shard's id set and each id's row (`read_row`), in one script on the
 * shard's slot (the user hashes share it), with the shard's exclusion counter as it stood
 * for those rows. KEYS: the id set, the exclusion counter. ARGV: cursor, count, the shard's
 * user key prefix, then the fields of a record without an index entry. Returns the next
 * cursor, the ids and the rows (each joined by \x1e), and the counter.
 */
const SCAN_ROWS = `${READ_ROW_LUA}
local page = redis.call('SSCAN', KEYS[1], ARGV[1], 'COUNT', ARGV[2])
local fields = {unpack(ARGV, 4, #ARGV)}
local rows = {}
for i, id in ipairs(page[2]) do rows[i] = read_row(ARGV[3] .. id, fields) end
return {page[1], table.concat(page[2], '\\30'), table.concat(rows, '\\30'), redis.call('GET', KEYS[2]) or '0'}
`;

/**
 * Ids of one page of a walk over a channel's shards, all of one shard, each with its row as
 * `read_row` gives it, read as of the shard's exclusion counter `version`.
 */
export interface RowPage {
  next: string;
  shard: number;
  version: number;
  ids: string[];
  rows: string[];
}

/** Ids grouped by their shard, each with its place in the list. */
function byShard(ids: readonly string[]): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  for (const [i, id] of ids.entries()) {
    const shard = userShard(id);
    const group = groups.get(shard);
    if (group) group.push(i);
    else groups.set(shard, [i]);
  }
  return groups;
}

/** An audience index entry as the user the filter rules read (the first exclusion stands for all). */
function fromEntry(channel: Channel, id: string, entry: string): AudienceUser {
  const [locale = '', verdict = '', exclusion = 'include', meeting = ''] = entry.split('|');
  return {
    channel,
    id,
    locale: locale as AudienceUser['locale'],
    optedOut: exclusion === 'optedOut',
    blocked: exclusion === 'blocked',
    unreachable: exclusion === 'unreachable',
    ...(verdict ? { verdict: verdict as AudienceUser['verdict'] } : {}),
    ...(meeting ? { meetingAt: new Date(Number(meeting)).toISOString() } : {}),
  };
}

export class AudienceReader implements AudienceSource, AudiencePages {
  private readonly redis: ReaderRedis;
  private readonly keys: RedisKeys;
  /** The audience counts kept with the user records. */
  readonly index: AudienceIndex;

  constructor(redis: RedisClient, keys: RedisKeys) {
    redis.defineCommand('audienceReadMany', { lua: READ_MANY });
    redis.defineCommand('audienceScanRows', { numberOfKeys: 2, lua: SCAN_ROWS });
    this.redis = redis as ReaderRedis;
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
    const { next, ids, rows } = await this.rowPage(channel, cursor, count);
    return { next, users: usersFromRows(channel, ids, rows.join('\x1e')) };
  }

  /**
   * About `count` ids of one shard from where a walk's cursor points, with their rows, and
   * the cursor after them: an SSCAN page of the shard (a page ends with its shard, so a
   * caller knows where shards end). The cursor is `<shard>:<SSCAN cursor>`; '0' starts and
   * ends the walk. A shard's pages may repeat an id (SSCAN does while Redis rehashes).
   */
  async rowPage(channel: Channel, cursor: string, count: number): Promise<RowPage> {
    const cut = cursor.indexOf(':');
    const shard = cut < 0 ? 0 : Number(cursor.slice(0, cut));
    const at = cut < 0 ? '0' : cursor.slice(cut + 1);
    const [next, joinedIds, joinedRows, version] = await this.redis.audienceScanRows(
      this.keys.usersOf(channel, shard),
      this.keys.audienceExclusions(channel, shard),
      at,
      String(count),
      this.keys.userPrefix(channel, shard),
      ...AUDIENCE_FIELDS,
    );
    const ids = joinedIds ? joinedIds.split('\x1e') : [];
    const rows = joinedRows ? joinedRows.split('\x1e') : [];
    const following = next !== '0' ? `${shard}:${next}` : shard + 1 < USER_SHARDS ? `${shard + 1}:0` : '0';
    return { next: following, shard, version: Number(version), ids, rows };
  }

  /**
   * With the chunk's shard counters as the freeze read them, only the users of shards whose
   * counter has moved since are read again (none, usually: one GET per shard of the chunk).
   */
  readonly stillWanted: RecipientCheck = async (channel, ids, shards) => {
    if (!shards) return this.recheck(channel, ids);
    const frozen = Object.entries(shards);
    const current = await Promise.all(frozen.map(([shard]) => this.redis.get(this.keys.audienceExclusions(channel, Number(shard)))));
    const moved = new Set(frozen.flatMap(([shard, version], i) => (Number(current[i] ?? 0) === version ? [] : [Number(shard)])));
    const wanted = ids.map(() => true);
    if (moved.size === 0) return wanted;
    const places = ids.flatMap((id, i) => (moved.has(userShard(id)) ? [i] : []));
    const reread = await this.recheck(channel, places.map((i) => ids[i]!));
    for (const [j, place] of places.entries()) wanted[place] = reread[j]!;
    return wanted;
  };

  private async recheck(channel: Channel, ids: readonly string[]): Promise<boolean[]> {
    const rows = await this.read(channel, ids, ['locale', ...FLAGS]);
    return rows.map((row) => (typeof row === 'string' ? row.split('|')[2] === 'include' : row[0] !== null && row.slice(1).every((flag) => parse(flag) !== true)));
  }

  /** Per user: the index entry (a string), or the fields asked for (a record without an entry). */
  private async read(channel: Channel, ids: readonly string[], fields: readonly string[]): Promise<(string | (string | null)[])[]> {
    if (ids.length === 0) return [];
    const joined = await this.readJoined(channel, ids, fields);
    return joined.split('\x1e').map((row) => (row.startsWith('#') ? row.slice(1) : row.split('\x1f').map((v) => (v === '' ? null : v))));
  }

  /**
   * Rows of `ids` in their order, joined by \x1e: one script per shard among them (a
   * script reads one slot), sent together.
   */
  async readJoined(channel: Channel, ids: readonly string[], fields: readonly string[]): Promise<string> {
    if (ids.length === 0) return '';
    const groups = [...byShard(ids).values()];
    const replies = await Promise.all(
      groups.map((places) => {
        const keys = places.map((i) => this.keys.user({ channel, id: ids[i]! }));
        return this.redis.audienceReadMany(String(keys.length), ...keys, ...fields);
      }),
    );
    const rows: string[] = new Array<string>(ids.length);
    for (const [g, places] of groups.entries()) {
      for (const [j, row] of replies[g]!.split('\x1e').entries()) rows[places[j]!] = row;
    }
    return rows.join('\x1e');
  }
}
