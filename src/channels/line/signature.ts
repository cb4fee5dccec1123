/**
 * LINE signs every webhook with HMAC-SHA256 of the raw request body, keyed by the channel
 * secret, base64-encoded in `X-Line-Signature`. Checked on the exact bytes received, before
 * anything is parsed: re-serialised JSON would not match.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function signLineBody(body: Buffer | string, channelSecret: string): string {
  return createHmac('sha256', channelSecret).update(body).digest('base64');
}

export function verifyLineSignature(body: Buffer, channelSecret: string, header: string | string[] | undefined): boolean {
  if (typeof header !== 'string' || header === '') return false;
  const expected = createHmac('sha256', channelSecret).update(body).digest();
  const given = Buffer.from(header, 'base64');
  // Length first: timingSafeEqual throws on different lengths, and a length leak reveals nothing.
  return given.length === expected.length && timingSafeEqual(given, expected);
}
