/**
 * The staff inbox API under /api/admin/handoffs: list, one thread, reply, take, end. Same
 * bearer tokens as the rest (plugin.ts); every change is audited by the handoff service
 * with the staff name.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { HandoffError, type HandoffErrorCode, type HandoffService } from '../handoff/service.ts';
import {
  handoffDetailSchema,
  handoffDetailView,
  handoffListQuerySchema,
  handoffListSchema,
  handoffParamsSchema,
  handoffView,
  messageView,
  replyHeadersSchema,
  replyResultSchema,
  replySchema,
} from './handoff-schemas.ts';
import { errorSchema } from './schemas.ts';

export interface HandoffRoutesDeps {
  handoffs: HandoffService;
  staffOf: (request: FastifyRequest) => string;
}

const security = [{ bearer: [] }];
const tags = ['handoffs'];
const errors = { 400: errorSchema, 401: errorSchema, 404: errorSchema, 429: errorSchema };
const STATUS: Record<HandoffErrorCode, number> = { not_found: 404, ended: 409, text_too_long: 422 };
/** A reply answers once its delivery settled (sent, blocked...) or after this long, still pending. */
const SETTLE_MS = 5_000;

export async function handoffRoutes(api: FastifyInstance, deps: HandoffRoutesDeps): Promise<void> {
  const { handoffs, staffOf } = deps;
  const idOf = (request: FastifyRequest) => (request.params as z.infer<typeof handoffParamsSchema>).id;
  /** Handoff errors answered here, so the API's shared error handler needs no knowledge of them. */
  const guarded =
    <T>(handler: (request: FastifyRequest, reply: FastifyReply) => Promise<T>) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      try {
        return await handler(request, reply);
      } catch (error) {
        if (error instanceof HandoffError) return reply.code(STATUS[error.code]).send({ error: error.code, message: error.message });
        throw error;
      }
    };

  api.get(
    '/handoffs',
    { schema: { summary: 'Conversations handed to staff, newest first: open, taken, overdue, ended', tags, security, querystring: handoffListQuerySchema, response: { 200: handoffListSchema, ...errors } } },
    async (request) => ({ handoffs: (await handoffs.list((request.query as z.infer<typeof handoffListQuerySchema>).limit)).map(handoffView) }),
  );

  api.get(
    '/handoffs/:id',
    { schema: { summary: 'One handoff: who, status, the diagnosis so far and the whole thread', tags, security, params: handoffParamsSchema, response: { 200: handoffDetailSchema, ...errors } } },
    guarded(async (request) => handoffDetailView(await handoffs.get(idOf(request)))),
  );

  api.post(
    '/handoffs/:id/messages',
    {
      schema: {
        summary: 'Reply to the user (delivered once, on their channel); takes the conversation if nobody has',
        description: 'Answers 201 with the message and its delivery (sent, blocked, ...; pending if not settled within 5 s). 409 when the conversation is back with the bot; 422 text_too_long.',
        tags,
        security,
        params: handoffParamsSchema,
        headers: replyHeadersSchema,
        body: replySchema,
        response: { 201: replyResultSchema, 409: errorSchema, 422: errorSchema, ...errors },
      },
    },
    guarded(async (request, reply) => {
      const staff = staffOf(request);
      const key = (request.headers as z.infer<typeof replyHeadersSchema>)['idempotency-key'];
      const messageId = key ? `page-${createHash('sha256').update(`${staff}\n${key}`).digest('hex').slice(0, 32)}` : `page-${crypto.randomUUID()}`;
      const handoffId = idOf(request);
      const message = await handoffs.reply({ handoffId, staff, text: (request.body as z.infer<typeof replySchema>).text, via: 'page', messageId });
      const settled = (await handoffs.settled(handoffId, message.id, SETTLE_MS)) ?? message;
      return reply.code(201).send({ message: messageView(settled) });
    }),
  );

  api.post(
    '/handoffs/:id/take',
    { schema: { summary: 'Take the conversation (taking over from someone else is allowed and noted)', tags, security, params: handoffParamsSchema, response: { 200: handoffDetailSchema, 409: errorSchema, ...errors } } },
    guarded(async (request) => handoffDetailView(await handoffs.take(idOf(request), staffOf(request)))),
  );

  api.post(
    '/handoffs/:id/end',
    { schema: { summary: 'Hand the user back to the bot (they are told); ending twice is fine', tags, security, params: handoffParamsSchema, response: { 200: handoffDetailSchema, ...errors } } },
    guarded(async (request) => handoffDetailView(await handoffs.end(idOf(request), staffOf(request)))),
  );
}
