/**
 * The parts of LINE webhook events we act on, checked with zod. Each event is parsed on
 * its own: one odd event (a type LINE added later, a field we did not expect) is skipped
 * with a log line instead of failing the events delivered with it.
 */
import { z } from 'zod';

export const webhookBodySchema = z.looseObject({
  destination: z.string().optional(),
  events: z.array(z.unknown()),
});

const sourceSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('user'), userId: z.string().min(1) }),
  z.looseObject({ type: z.literal('group'), groupId: z.string().min(1), userId: z.string().optional() }),
  z.looseObject({ type: z.literal('room'), roomId: z.string().min(1), userId: z.string().optional() }),
]);
export type LineSource = z.infer<typeof sourceSchema>;

const common = {
  webhookEventId: z.string().min(1),
  timestamp: z.number(),
  /** `standby` while another channel (a module) owns the chat: we must not answer. */
  mode: z.string().default('active'),
  deliveryContext: z.looseObject({ isRedelivery: z.boolean() }).optional(),
  source: sourceSchema,
};

const messageEvent = z.looseObject({
  ...common,
  type: z.literal('message'),
  replyToken: z.string().optional(),
  message: z
    .looseObject({ id: z.string(), type: z.string(), text: z.string().optional() })
    .refine((m) => m.type !== 'text' || typeof m.text === 'string', { message: 'a text message needs text' }),
});

const postbackEvent = z.looseObject({
  ...common,
  type: z.literal('postback'),
  replyToken: z.string().optional(),
  postback: z.looseObject({
    data: z.string(),
    params: z.looseObject({ datetime: z.string().optional(), date: z.string().optional(), time: z.string().optional() }).optional(),
  }),
});

const followEvent = z.looseObject({ ...common, type: z.literal('follow'), replyToken: z.string().optional() });
const unfollowEvent = z.looseObject({ ...common, type: z.literal('unfollow') });
const joinEvent = z.looseObject({ ...common, type: z.literal('join'), replyToken: z.string().optional() });

const eventSchemas = {
  message: messageEvent,
  postback: postbackEvent,
  follow: followEvent,
  unfollow: unfollowEvent,
  join: joinEvent,
} as const;

export type LineEvent = z.infer<(typeof eventSchemas)[keyof typeof eventSchemas]>;

export interface SkippedEvent {
  index: number;
  type: string;
  reason: string;
}

export function parseEvents(raw: readonly unknown[]): { events: LineEvent[]; skipped: SkippedEvent[] } {
  const events: LineEvent[] = [];
  const skipped: SkippedEvent[] = [];
  raw.forEach((item, index) => {
    const type = typeof item === 'object' && item !== null && 'type' in item ? String(item.type) : '(none)';
    const schema = Object.hasOwn(eventSchemas, type) ? eventSchemas[type as keyof typeof eventSchemas] : undefined;
    if (!schema) {
      skipped.push({ index, type: forLog(type), reason: 'event type not handled' });
      return;
    }
    const parsed = schema.safeParse(item);
    if (parsed.success) events.push(parsed.data);
    else skipped.push({ index, type: forLog(type), reason: parsed.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`).join('; ') });
  });
  return { events, skipped };
}

/** The sender chooses the type, of any length: the log gets its first 64 characters. */
function forLog(type: string): string {
  return type.length > 64 ? `${type.slice(0, 64)}…` : type;
}
