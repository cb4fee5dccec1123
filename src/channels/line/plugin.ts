/**
 * `POST /webhooks/line`. The body is read as raw bytes (this plugin's own content-type
 * parser, encapsulated so other routes keep Fastify's JSON parser) because the signature
 * covers the exact bytes; JSON is parsed only after the signature holds.
 */
import type { FastifyPluginAsync } from 'fastify';
import { BODY_LIMIT_BYTES } from '../../server/app.ts';
import { webhookBodySchema } from './events.ts';
import { verifyLineSignature } from './signature.ts';
import type { WebhookOutcome } from './webhook.ts';

export const LINE_WEBHOOK_PATH = '/webhooks/line';

export interface LinePluginDeps {
  channelSecret: string;
  handleEvents: (events: readonly unknown[]) => Promise<WebhookOutcome>;
}

export function linePlugin(deps: LinePluginDeps): FastifyPluginAsync {
  return async (app) => {
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: BODY_LIMIT_BYTES }, (_request, body, done) =>
      done(null, body),
    );

    app.post(LINE_WEBHOOK_PATH, { bodyLimit: BODY_LIMIT_BYTES }, async (request, reply) => {
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      if (!verifyLineSignature(raw, deps.channelSecret, request.headers['x-line-signature'])) {
        request.log.warn('LINE webhook with a missing or wrong signature');
        return reply.code(401).send({ message: 'invalid signature' });
      }
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
      const outcome = await deps.handleEvents(body.data.events);
      return outcome.status === 200 ? reply.code(200).send({}) : reply.code(outcome.status).send({ message: outcome.message });
    });
  };
}
