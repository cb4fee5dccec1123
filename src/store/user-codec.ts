/**
 * How a user record is stored: one Redis hash, each field JSON (so types survive). Readers
 * that fetch single fields for speed (the audience reader) decode with the same functions.
 */
import type { UserPatch, UserRecord } from './types.ts';

export function encodeUserField(value: unknown): string {
  return JSON.stringify(value);
}

export function decodeUserField(stored: string): unknown {
  return JSON.parse(stored);
}

export function encodeUser(record: Partial<UserRecord>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined).map(([k, v]) => [k, encodeUserField(v)]));
}

export function decodeUser(hash: Record<string, string>): UserRecord | undefined {
  if (!hash.channel || !hash.id) return undefined;
  // Fields starting with '_' belong to the store (the audience index entry), not to the record.
  return Object.fromEntries(Object.entries(hash).filter(([k]) => !k.startsWith('_')).map(([k, v]) => [k, decodeUserField(v)])) as unknown as UserRecord;
}

/** A patch as the fields to set and the fields to delete. */
export function splitPatch(patch: UserPatch): { set: Record<string, string>; removed: string[] } {
  const removed = Object.entries(patch).filter(([, v]) => v === null).map(([k]) => k);
  const kept = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== null));
  return { set: encodeUser(kept as Partial<UserRecord>), removed };
}
