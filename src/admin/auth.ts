/**
 * Staff sign in with bearer tokens from ADMIN_TOKENS (`name:token,name:token`). Tokens are
 * kept only as SHA-256 digests and every digest is compared with `timingSafeEqual`, all of
 * them every time, so neither the answer time nor an early exit tells how close a guess was.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export interface StaffToken {
  name: string;
  digest: Buffer;
}

/** Long enough that guessing is hopeless at the admin rate limit. */
export const MIN_TOKEN_LENGTH = 16;
const NAME = /^[A-Za-z0-9._@-]{1,64}$/;

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Parses ADMIN_TOKENS; the error names the entry by position, never the token. */
export function parseAdminTokens(value: string): { ok: true; tokens: StaffToken[] } | { ok: false; error: string } {
  const entries = value.split(',').map((e) => e.trim()).filter(Boolean);
  if (entries.length === 0) return { ok: false, error: 'expected name:token pairs separated by commas' };
  const tokens: StaffToken[] = [];
  const names = new Set<string>();
  const digests = new Set<string>();
  for (const [index, entry] of entries.entries()) {
    const colon = entry.indexOf(':');
    const name = colon > 0 ? entry.slice(0, colon) : '';
    const token = colon > 0 ? entry.slice(colon + 1) : '';
    const where = `entry ${index + 1}`;
    if (!NAME.test(name)) return { ok: false, error: `${where}: expected name:token with a name of letters, digits, . _ @ -` };
    if (token.length < MIN_TOKEN_LENGTH) return { ok: false, error: `${where} (${name}): the token must be at least ${MIN_TOKEN_LENGTH} characters` };
    if (names.has(name)) return { ok: false, error: `${where}: the name ${name} appears twice` };
    const hash = digest(token);
    if (digests.has(hash.toString('hex'))) return { ok: false, error: `${where} (${name}): this token is already given to someone else` };
    names.add(name);
    digests.add(hash.toString('hex'));
    tokens.push({ name, digest: hash });
  }
  return { ok: true, tokens };
}

/** The staff name behind an `Authorization: Bearer <token>` header, or undefined. */
export function authenticate(header: string | undefined, tokens: readonly StaffToken[]): string | undefined {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header ?? '');
  if (!match) return undefined;
  const presented = digest(match[1]!);
  let found: string | undefined;
  for (const token of tokens) {
    // No break: the loop takes as long whichever token (if any) matches.
    if (timingSafeEqual(presented, token.digest) && found === undefined) found = token.name;
  }
  return found;
}
