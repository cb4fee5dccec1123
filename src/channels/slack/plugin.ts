/**
 * `POST /webhooks/slack`: Events API, interactivity and slash commands on one URL, a signed
 * webhook (../webhook-route.ts): the signature is checked on the exact bytes Slack sent,
 * before anything is parsed or stored; Slack hears 200 once the request is in the inbox.
 */
import type { FastifyPluginAsync } from 'fastify';
import { header, signedWebhook } from '../webhook-route.ts';
import { isSslCheck, parseRequestBody, urlVerificationSchema } from './payloads.ts';
import type { InboxReceiver } from './receiver.ts';
import { checkSignature } from './signature.ts';

export const SLACK_WEBHOOK_PATH = '/webhooks/slack';

export interface SlackPluginOptions {
  signingSecret: string;
  receiver: InboxReceiver;
  clock: () => Date;
}

export function slackWebhookPlugin(options: SlackPluginOptions): FastifyPluginAsync {
  return signedWebhook({
    channel: 'slack',
    path: SLACK_WEBHOOK_PATH,
    contentTypes: ['application/json', 'application/x-www-form-urlencoded'],
    answerAtOnce: (raw, request) => isSslCheck(raw, request.headers['content-type']),
    verify: (raw, request) => {
      const signature = checkSignature({
        signingSecret: options.signingSecret,
        rawBody: raw,
        timestamp: header(request.headers['x-slack-request-timestamp']),
        signature: header(request.headers['x-slack-signature']),
        now: options.clock(),
      });
      return signature.ok ? undefined : { log: 'slack request refused: bad signature', fields: { reason: signature.reason }, body: { error: 'invalid signature' } };
    },
    handle: async (raw, request, reply) => {
      const body = parseRequestBody(raw, request.headers['content-type']);
      if (!body) return reply.code(400).send({ error: 'malformed body' });
      const challenge = urlVerificationSchema.safeParse(body);
      if (challenge.success) return reply.send({ challenge: challenge.data.challenge });

      const retryNum = Number(header(request.headers['x-slack-retry-num']));
      const retryReason = header(request.headers['x-slack-retry-reason']);
      let ack;
      try {
        ack = await options.receiver.accept(body, {
          ...(Number.isInteger(retryNum) ? { retryNum } : {}),
          ...(retryReason ? { retryReason } : {}),
        });
      } catch (error) {
        // Redis is down: nothing is stored, so let Slack retry later.
        request.log.error({ error: (error as Error).message }, 'slack event not accepted');
        return reply.code(503).send({ error: 'temporarily unavailable' });
      }
      reply.code(ack.status);
      if (ack.headers) reply.headers(ack.headers);
      return ack.body === undefined ? reply.send() : reply.send(ack.body);
    },
  });
}
