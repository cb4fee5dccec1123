/**
 * The staff API under /api/admin. Every route needs a staff token (plugin.ts checks it);
 * changes are written to the audit log with the staff name.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { ChannelPreview } from '../channels/types.ts';
import type { Content } from '../conversation/content.ts';
import { LOCALES, VERDICTS } from '../conversation/types.ts';
import { listTips } from '../jobs/broadcast/content.ts';
import { BROADCAST_CHANNELS, type BroadcastChannel } from '../jobs/broadcast/filter.ts';
import type { BroadcastService, BroadcastSource } from '../jobs/broadcast/service.ts';
import type { AuditLog } from './audit.ts';
import {
  audienceCountsSchema,
  audienceFilterSchema,
  auditListSchema,
  broadcastListSchema,
  broadcastParamsSchema,
  broadcastViewSchema,
  createBroadcastSchema,
  errorSchema,
  idempotencyHeadersSchema,
  listQuerySchema,
  meSchema,
  messagePreviewResultSchema,
  messagePreviewSchema,
  tipsSchema,
} from './schemas.ts';
import { broadcastView } from './views.ts';

export interface AdminRoutesDeps {
  service: BroadcastService;
  content: Content;
  audit: AuditLog;
  /** How each channel shows a message (the channels' faces), for previews. */
  previews: Record<BroadcastChannel, ChannelPreview>;
  /** The deployment's time zone, which the page shows and schedules times in. */
  timeZone: string;
  /** The signed-in staff member of a request (set by the auth hook). */
  staffOf: (request: FastifyRequest) => string;
}

const security = [{ bearer: [] }];
const errors = { 400: errorSchema, 401: errorSchema, 429: errorSchema };
const tags = ['broadcasts'];

/** The schemas allow exactly one of the two. */
function sourceOf(body: { tipId?: string | undefined; text?: { ja: string; en: string } | undefined }): BroadcastSource {
  return body.tipId !== undefined ? { tipId: body.tipId } : { text: body.text! };
}

export async function adminRoutes(api: FastifyInstance, deps: AdminRoutesDeps): Promise<void> {
  const { service, content, audit, staffOf } = deps;

  api.get('/me', { schema: { summary: 'Who is signed in, and what this deployment offers', tags: ['staff'], security, response: { 200: meSchema, ...errors } } }, async (request) => ({
    staff: staffOf(request),
    channels: [...service.channels],
    locales: [...LOCALES],
    verdicts: [...VERDICTS],
    timeZone: deps.timeZone,
  }));

  api.get('/tips', { schema: { summary: 'The tip library: id, title and body per language', tags, security, response: { 200: tipsSchema, ...errors } } }, async () => ({
    tips: listTips(content),
  }));

  api.post(
    '/audience/preview',
    {
      schema: {
        summary: 'Exact audience of a filter: counts by channel and language, and who is excluded and why',
        tags,
        security,
        body: audienceFilterSchema,
        response: { 200: audienceCountsSchema, 422: errorSchema, ...errors },
      },
    },
    async (request) => service.preview(request.body as z.infer<typeof audienceFilterSchema>),
  );

  api.post(
    '/messages/preview',
    {
      schema: {
        summary: 'How a tip or text will look: the LINE messages and Slack message as sent, per language',
        tags,
        security,
        body: messagePreviewSchema,
        response: { 200: messagePreviewResultSchema, 422: errorSchema, ...errors },
      },
    },
    async (request) => {
      const messages = service.messagesFor(sourceOf(request.body as z.infer<typeof messagePreviewSchema>));
      return Object.fromEntries(
        LOCALES.map((locale) => [
          locale,
          Object.fromEntries(BROADCAST_CHANNELS.map((channel) => [channel, deps.previews[channel](messages[locale], locale)])),
        ]),
      );
    },
  );

  api.post(
    '/broadcasts',
    {
      schema: {
        summary: 'Create a broadcast (once per Idempotency-Key): sent now, or at sendAt',
        description:
          'Answers 201 with the broadcast; when it is due now, `total` is the frozen audience size (null if freezing takes longer than a few seconds). ' +
          'The same Idempotency-Key again (same staff, same body) answers 200 with the same broadcast; with a different body, 422.',
        tags,
        security,
        headers: idempotencyHeadersSchema,
        body: createBroadcastSchema,
        response: { 201: broadcastViewSchema, 200: broadcastViewSchema, 409: errorSchema, 422: errorSchema, ...errors },
      },
    },
    async (request, reply) => {
      const staff = staffOf(request);
      const body = request.body as z.infer<typeof createBroadcastSchema>;
      const { record, replayed } = await service.create({
        staff,
        idempotencyKey: (request.headers as z.infer<typeof idempotencyHeadersSchema>)['idempotency-key'],
        source: sourceOf(body),
        filter: body.filter,
        ...(body.sendAt ? { sendAt: body.sendAt } : {}),
      });
      if (!replayed) {
        await audit.record({
          staff,
          action: 'broadcast.create',
          target: record.id,
          detail: { tipId: record.tipId ?? null, sendAt: record.sendAt, filter: record.filter, total: record.total ?? null },
        });
      }
      return reply.code(replayed ? 200 : 201).header('location', `/api/admin/broadcasts/${record.id}`).send(broadcastView(record));
    },
  );

  api.get(
    '/broadcasts',
    { schema: { summary: 'Recent broadcasts, newest first, with status and progress', tags, security, querystring: listQuerySchema, response: { 200: broadcastListSchema, ...errors } } },
    async (request) => {
      const { limit } = request.query as z.infer<typeof listQuerySchema>;
      return { broadcasts: (await service.list(limit)).map(broadcastView) };
    },
  );

  api.get(
    '/broadcasts/:id',
    { schema: { summary: 'One broadcast: status and progress (total, sent, failed, skipped)', tags, security, params: broadcastParamsSchema, response: { 200: broadcastViewSchema, 404: errorSchema, ...errors } } },
    async (request) => broadcastView(await service.get((request.params as z.infer<typeof broadcastParamsSchema>).id)),
  );

  api.post(
    '/broadcasts/:id/cancel',
    {
      schema: {
        summary: 'Stop a broadcast: nothing more is sent (cancelling twice is fine)',
        tags,
        security,
        params: broadcastParamsSchema,
        response: { 200: broadcastViewSchema, 404: errorSchema, 409: errorSchema, ...errors },
      },
    },
    async (request: FastifyRequest, reply: FastifyReply) => {
      const staff = staffOf(request);
      const { id } = request.params as z.infer<typeof broadcastParamsSchema>;
      const { record, changed } = await service.cancel(id, staff);
      if (changed) await audit.record({ staff, action: 'broadcast.cancel', target: id, detail: { sent: record.sent, total: record.total ?? null } });
      return reply.send(broadcastView(record));
    },
  );

  api.get(
    '/audit',
    { schema: { summary: 'Recent staff actions, newest first', tags: ['staff'], security, querystring: listQuerySchema, response: { 200: auditListSchema, ...errors } } },
    async (request) => ({ entries: await audit.recent((request.query as z.infer<typeof listQuerySchema>).limit) }),
  );
}
