/**
 * The staff API's requests and answers as zod schemas: the same objects validate requests
 * (zod-compiler.ts) and become the OpenAPI document at /docs (z.toJSONSchema).
 */
import { z } from 'zod';
import { LOCALES, VERDICTS } from '../conversation/types.ts';
import { MAX_TEXT_LENGTH } from '../jobs/broadcast/content.ts';
import { audienceFilterSchema, BROADCAST_CHANNELS, EXCLUSIONS } from '../jobs/broadcast/filter.ts';
import { BROADCAST_STATUSES } from '../store/broadcast-record.ts';

const perLocale = <T extends z.ZodType>(schema: T) => z.object({ ja: schema, en: schema });

export const localizedTextSchema = z
  .strictObject({
    ja: z.string().trim().min(1).max(MAX_TEXT_LENGTH),
    en: z.string().trim().min(1).max(MAX_TEXT_LENGTH),
  })
  .describe('The message in each language; every user gets their own.');

export { audienceFilterSchema };

/** Exactly one of a tip and a text; said in words rather than as a failed union. */
const oneSource = <T extends { tipId?: string | undefined; text?: unknown }>(value: T, ctx: z.RefinementCtx) => {
  if ((value.tipId === undefined) === (value.text === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['tipId'], message: 'give either tipId (a tip from the library) or text (ja and en), not both' });
  }
};

const source = {
  tipId: z.string().min(1).optional().describe('A tip from GET /api/admin/tips.'),
  text: localizedTextSchema.optional(),
};

export const createBroadcastSchema = z
  .strictObject({
    ...source,
    filter: audienceFilterSchema.default({}),
    sendAt: z.iso.datetime({ offset: true }).optional().describe('When to send (ISO 8601 with offset); absent or past: now. At most 90 days ahead.'),
  })
  .superRefine(oneSource)
  .describe('A tip from the library (tipId) or a text written here (text), to the users the filter selects.');

export const messagePreviewSchema = z.strictObject(source).superRefine(oneSource).describe('tipId or text, as for a broadcast.');

export const idempotencyHeadersSchema = z.looseObject({
  'idempotency-key': z
    .string()
    .min(1)
    .max(200)
    .describe('Any unique string per intended broadcast (a UUID): the same key again returns the first broadcast instead of creating another.'),
});

export const broadcastParamsSchema = z.object({ id: z.string().regex(/^[a-z0-9-]{1,40}$/) });
export const listQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });

export const errorSchema = z.object({
  error: z.string().describe('A stable code, e.g. unauthorized, invalid_request, not_found, idempotency_mismatch.'),
  message: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

export const meSchema = z.object({
  staff: z.string(),
  channels: z.array(z.enum(BROADCAST_CHANNELS)).describe('Channels configured here, the only ones a filter may name.'),
  locales: z.array(z.enum(LOCALES)),
  verdicts: z.array(z.enum(VERDICTS)),
  timeZone: z.string().describe('The deployment time zone (DEFAULT_TIME_ZONE): the page shows and schedules times in it.'),
});

export const tipsSchema = z.object({
  tips: z.array(z.object({ id: z.string(), title: perLocale(z.string()), body: perLocale(z.string()) })),
});

const countsByLocale = perLocale(z.int());
export const audienceCountsSchema = z.object({
  total: z.int().describe('Users who would get the message.'),
  byChannel: z.object({ line: countsByLocale, slack: countsByLocale }),
  excluded: z
    .object(Object.fromEntries(EXCLUSIONS.map((e) => [e, z.int()])) as Record<(typeof EXCLUSIONS)[number], z.ZodInt>)
    .describe('Users the filter selects who get nothing, by the first reason that applies (blocked, unreachable, opted out).'),
});

/** Platform JSON, shown as-is by the page's previews. */
const platformMessage = z.record(z.string(), z.unknown());
export const messagePreviewResultSchema = perLocale(
  z.object({ line: z.array(platformMessage).describe('LINE message objects as sent'), slack: platformMessage.describe('Slack text and blocks as sent') }),
);

export const broadcastViewSchema = z.object({
  id: z.string(),
  status: z.enum(BROADCAST_STATUSES),
  staff: z.string(),
  createdAt: z.string(),
  sendAt: z.string(),
  tipId: z.string().nullable(),
  headline: perLocale(z.string()).describe("The tip's title or the text's first line."),
  filter: audienceFilterSchema,
  total: z.int().nullable().describe('The frozen audience size; null until the audience is frozen (at sendAt).'),
  sent: z.int(),
  failed: z.int(),
  skipped: z.int().describe('Left out at send time: blocked, opted out, unreachable or deleted since the freeze.'),
  progress: z.number().min(0).max(1),
  audience: audienceCountsSchema.nullable(),
  frozenAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  cancelledAt: z.string().nullable(),
  cancelledBy: z.string().nullable(),
});

export const broadcastListSchema = z.object({ broadcasts: z.array(broadcastViewSchema) });

export const auditListSchema = z.object({
  entries: z.array(z.object({ at: z.string(), staff: z.string(), action: z.string(), target: z.string(), detail: z.record(z.string(), z.unknown()).optional() })),
});

export type BroadcastView = z.infer<typeof broadcastViewSchema>;
