/**
 * `POST /webhooks/slack`: Events API, interactivity and slash commands on one URL. The
 * signature is checked on the exact bytes Slack sent (the body is kept as a Buffer), before
 * anything is parsed or stored.
 */
import type { FastifyPluginAsync } from 'fastify';
import { isSslCheck, parseRequestBody, urlVerificationSchema } from './payloads.ts';
import type { FastifyReceiver } from './receiver.ts';
import { checkSignature } from './signature.ts';

export const SLACK_WEBHOOK_PATH = '/webhooks/slack';
/** Slack's payloads are small; anything near this is not from Slack (413). */
export const BODY_LIMIT_BYTES = 1024 * 1024;

export interface SlackPluginOptions {
  signingSecret: string;
  receiver: FastifyReceiver;
  clock: () => Date;
}

export function slackWebhookPlugin(options: SlackPluginOptions): FastifyPluginAsync {
  return async (app) => {
    // Scoped to this plugin: other routes keep Fastify's JSON parsing.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser(
      ['application/json', 'application/x-www-form-urlencoded'],
      { parseAs: 'buffer', bodyLimit: BODY_LIMIT_BYTES },
      (_request, body, done) => done(null, body),
    );

    app.post(SLACK_WEBHOOK_PATH, { bodyLimit: BODY_LIMIT_BYTES }, async (request, reply) => {
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const contentType = request.headers['content-type'];
      if (isSslCheck(raw, contentType)) return reply.code(200).send();

      const signature = checkSignature({
        signingSecret: options.signingSecret,
        rawBody: raw,
        timestamp: header(request.headers['x-slack-request-timestamp']),
        signature: header(request.headers['x-slack-signature']),
        now: options.clock(),
      });
      if (!signature.ok) {
        request.log.warn({ reason: signature.reason }, 'slack request refused: bad signature');
        return reply.code(401).send({ error: 'invalid signature' });
      }

      const body = parseRequestBody(raw, contentType);
      if (!body) return reply.code(400).send({ error: 'malformed body' });
      const challenge = urlVerificationSchema.safeParse(body);
      if (challenge.success) return reply.send({ challenge: challenge.data.challenge });

      const retryNum = Number(header(request.headers['x-slack-retry-num']));
      const retryReason = header(request.headers['x-slack-retry-reason']);
      let ack;
      try {
        ack = await options.receiver.dispatch(body, {
          ...(Number.isInteger(retryNum) ? { retryNum } : {}),
          ...(retryReason ? { retryReason } : {}),
        });
      } catch (error) {
        // Redis is down: without dedupe we cannot promise "once", so let Slack retry later.
        request.log.error({ error: (error as Error).message }, 'slack event not accepted');
        return reply.code(503).send({ error: 'temporarily unavailable' });
      }
      reply.code(ack.status);
      return ack.body === undefined ? reply.send() : reply.send(ack.body);
    });
  };
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
