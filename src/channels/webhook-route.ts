/**
 * One platform webhook as a Fastify plugin: the body is kept as the exact bytes received
 * (the signature covers them; re-serialised JSON would not match), the signature is checked
 * before anything is parsed or stored, and the route is marked as a webhook in its config so
 * the server counts it and refuses it with 503 while Redis is away.
 *
 * The content-type parsers are this plugin's own (Fastify encapsulation), so every other
 * route keeps Fastify's JSON parser.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Channel } from '../conversation/types.ts';

/** Platform payloads are small; anything near this is not from the platform (413). */
export const WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;

/** Why a request was refused: logged at warn, and the body of the 401. */
export interface Refusal {
  log: string;
  fields?: Record<string, unknown>;
  body: Record<string, unknown>;
}

export interface SignedWebhook {
  channel: Channel;
  path: string;
  /** The content types the platform sends; others are refused with 415. */
  contentTypes: string[];
  /** Requests answered 200 before any check (Slack's ssl_check carries nothing to act on). */
  answerAtOnce?: (raw: Buffer, request: FastifyRequest) => boolean;
  /** Checks the signature over the exact bytes: undefined when it holds. */
  verify: (raw: Buffer, request: FastifyRequest) => Refusal | undefined;
  /** Handles a signed request. */
  handle: (raw: Buffer, request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;
}

export function signedWebhook(route: SignedWebhook): FastifyPluginAsync {
  return async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser(route.contentTypes, { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT_BYTES }, (_request, body, done) => done(null, body));

    // Fastify's two lines per request would be most of a webhook's cost at info: the metrics
    // count webhooks; refusals and failures are still logged at warn and above.
    app.post(route.path, { bodyLimit: WEBHOOK_BODY_LIMIT_BYTES, logLevel: 'warn', config: { webhook: route.channel } }, async (request, reply) => {
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      if (route.answerAtOnce?.(raw, request)) return reply.code(200).send();
      const refusal = route.verify(raw, request);
      if (refusal) {
        request.log.warn(refusal.fields ?? {}, refusal.log);
        return reply.code(401).send(refusal.body);
      }
      return route.handle(raw, request, reply);
    });
  };
}

/** A header's value, the first one if it came more than once. */
export function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
