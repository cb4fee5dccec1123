/**
 * `X-Line-Retry-Key` must be a UUID. Deriving it from a stable name (an event id, a
 * reminder job id) instead of drawing a random one means a retry after a crash or a
 * redelivered job sends the same key, and LINE answers 409 instead of sending twice.
 */
import { createHash } from 'node:crypto';

// Namespace of mendan-navi's name-based UUIDs (any fixed UUID works; this one is ours).
const NAMESPACE = Buffer.from('3b0d8f3c5e1a4f7c9a2e6b1d4c8f0a57', 'hex');

/** A version-5 (SHA-1, name-based) UUID: same name, same UUID. */
export function uuidFromName(name: string): string {
  const bytes = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The retry key of the n-th push request of one logical send. */
export function retryKeyFor(name: string, part: number): string {
  return uuidFromName(`${name}#${part}`);
}
