/** Waiting, briefly, for the app to be ready before it listens. */
import type { FastifyInstance } from 'fastify';

/**
 * Webhooks are refused until Redis is connected, so the first seconds of a start would
 * answer 503. Wait for readiness first, briefly: a Redis that is down for longer must not
 * keep /healthz and /readyz from saying so.
 */
export async function untilReady(app: FastifyInstance, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await app.inject('/readyz')).statusCode !== 200) {
    if (Date.now() > deadline) {
      app.log.warn('not ready yet (is Redis reachable?); listening anyway');
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
