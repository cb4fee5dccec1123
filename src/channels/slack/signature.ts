/**
 * Slack request signatures (`v0=` HMAC-SHA256 over `v0:timestamp:rawbody`). Pure: the
 * clock comes in, so tests can check the five-minute window without waiting.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far a request timestamp may be from our clock, either way. */
export const MAX_CLOCK_SKEW_SECONDS = 5 * 60;

export type SignatureCheck = { ok: true } | { ok: false; reason: 'missing_headers' | 'stale' | 'mismatch' };

export interface SignedRequest {
  signingSecret: string;
  rawBody: Buffer;
  timestamp: string | undefined;
  signature: string | undefined;
  now: Date;
}

export function checkSignature(request: SignedRequest): SignatureCheck {
  const { timestamp, signature } = request;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp) || !signature) return { ok: false, reason: 'missing_headers' };
  const ageSeconds = Math.floor(request.now.getTime() / 1000) - Number(timestamp);
  // Bolt only rejects old timestamps; one far in the future is just as much a replay risk.
  if (Math.abs(ageSeconds) > MAX_CLOCK_SKEW_SECONDS) return { ok: false, reason: 'stale' };
  // Bolt's verifySlackRequest compares through tsscmp, two more HMACs per request; timingSafeEqual is as safe.
  const expected = Buffer.from(`v0=${createHmac('sha256', request.signingSecret).update(`v0:${timestamp}:`).update(request.rawBody).digest('hex')}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected) ? { ok: true } : { ok: false, reason: 'mismatch' };
}
