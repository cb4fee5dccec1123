/** The handoff routes' requests and answers in zod: validation and the /docs document at once. */
import { z } from 'zod';
import { CHANNELS } from '../conversation/types.ts';
import { MAX_REPLY_LENGTH } from '../handoff/limits.ts';
import type { StaffView } from '../handoff/ports.ts';
import { DELIVERY_STATES, HANDOFF_STATUSES, MESSAGE_AUTHORS } from '../handoff/types.ts';

export const handoffParamsSchema = z.object({ id: z.uuid().describe('A handoff id from GET /api/admin/handoffs.') });
export const handoffListQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });

export const replySchema = z
  .strictObject({
    text: z
      .string()
      .trim()
      .min(1)
      .max(MAX_REPLY_LENGTH)
      .describe('Sent to the user on their channel. Split at the platform limit (LINE: 5 × 5,000 characters, Slack: 5 × 4,000); longer is refused with 422 text_too_long, never cut.'),
  })
  .describe('A reply to the user.');

export const replyHeadersSchema = z.looseObject({
  'idempotency-key': z.string().min(1).max(200).optional().describe('The same key again (same staff) returns the first reply instead of sending another.'),
});

const handoffSchema = z.object({
  id: z.string(),
  channel: z.enum(CHANNELS).describe("The user's channel."),
  displayName: z.string().nullable(),
  status: z.enum(HANDOFF_STATUSES).describe('open: nobody has taken it; taken: takenBy answers; ended: back with the bot.'),
  takenBy: z.string().nullable(),
  overdue: z.boolean().describe('No staff answer within ADVISOR_REPLY_HOURS of the user starting to wait.'),
  blocked: z.boolean().describe('The user has blocked the bot: replies cannot reach them.'),
  createdAt: z.string(),
  dueAt: z.string().nullable().describe('An answer is owed by then; null once answered.'),
  endedAt: z.string().nullable(),
  endedBy: z.string().nullable().describe('A staff name, or "user".'),
});

export const messageSchema = z.object({
  id: z.string(),
  at: z.string(),
  from: z.enum(MESSAGE_AUTHORS),
  text: z.string(),
  staff: z.string().nullable(),
  via: z.enum(['slack', 'page']).nullable(),
  delivery: z.enum(DELIVERY_STATES).nullable().describe('Staff replies: pending, sent, blocked, unreachable, failed, refused (too long).'),
  detail: z.string().nullable(),
});

export const handoffListSchema = z.object({ handoffs: z.array(handoffSchema) });
export const handoffDetailSchema = handoffSchema.extend({
  summary: z.object({
    answers: z.array(z.object({ question: z.string(), answer: z.string() })),
    verdict: z.string().nullable(),
    recent: z.array(z.string()).describe('What the user typed just before asking.'),
  }),
  messages: z.array(messageSchema).describe('The thread, oldest first: the user, staff replies from Slack and the page.'),
});
export const replyResultSchema = z.object({ message: messageSchema });

export function handoffView({ handoff: h, overdue, blocked }: StaffView): z.infer<typeof handoffSchema> {
  return {
    id: h.id,
    channel: h.user.channel,
    displayName: h.displayName ?? null,
    status: h.status,
    takenBy: h.takenBy ?? null,
    overdue,
    blocked,
    createdAt: h.createdAt,
    dueAt: h.dueAt ?? null,
    endedAt: h.endedAt ?? null,
    endedBy: h.endedBy ?? null,
  };
}

export function messageView(m: StaffView['messages'][number]): z.infer<typeof messageSchema> {
  return { id: m.id, at: m.at, from: m.from, text: m.text, staff: m.staff ?? null, via: m.via ?? null, delivery: m.delivery ?? null, detail: m.detail ?? null };
}

export function handoffDetailView(view: StaffView): z.infer<typeof handoffDetailSchema> {
  const { summary } = view.handoff;
  return {
    ...handoffView(view),
    summary: { answers: summary.answers, verdict: summary.verdict ?? null, recent: summary.recent },
    messages: view.messages.map(messageView),
  };
}
