/**
 * `POST /webhooks/line`: a signed webhook (../webhook-route.ts); JSON is parsed only after
 * the signature holds, and the events are answered for once they are in the inbox.
 */
import type { FastifyPluginAsync } from 'fastify';
import { signedWebhook } from '../webhook-route.ts';
import { webhookBodySchema } from './events.ts';
import { verifyLineSignature } from './signature.ts';
import type { WebhookOutcome } from './webhook.ts';

export const LINE_WEBHOOK_PATH = '/webhooks/line';

export interface LinePluginDeps {
  channelSecret: string;
  /** Puts the events into the inbox (webhook.ts `accept`). */
  accept: (events: readonly unknown[]) => Promise<WebhookOutcome>;
}

export function linePlugin(deps: LinePluginDeps): FastifyPluginAsync {
  return signedWebhook({
    channel: 'line',
    path: LINE_WEBHOOK_PATH,
    contentTypes: ['application/json'],
    verify: (raw, request) =>
      verifyLineSignature(raw, deps.channelSecret, request.headers['x-line-signature'])
        ? undefined
        : { log: 'LINE webhook with a missing or wrong signature', body: { message: 'invalid signature' } },
    handle: async (raw, _request, reply) => {
      let json: unknown;
      try {
        json = JSON.parse(raw.toString('utf8'));
      } catch {
        return reply.code(400).send({ message: 'malformed JSON' });
      }
      const body = webhookBodySchema.safeParse(json);
      if (!body.success) return reply.code(400).send({ message: 'not a LINE webhook body' });
      // The console's "Verify" button sends no events; it only wants a 200.
      if (body.data.events.length === 0) return reply.code(200).send({});
      const outcome = await deps.accept(body.data.events);
      if (outcome.status === 200) return reply.code(200).send({});
      if (outcome.retryAfterSeconds !== undefined) reply.header('retry-after', String(outcome.retryAfterSeconds));
      return reply.code(outcome.status).send({ message: outcome.message });
    },
  });
}
