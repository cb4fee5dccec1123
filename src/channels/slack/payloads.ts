/**
 * What Slack sends us, parsed with zod. Only the fields we read are declared; Slack adds
 * fields over time and those pass through untouched to Bolt.
 */
import { z } from 'zod';

export type SlackBody = Record<string, unknown>;

/**
 * Turns the raw request into the object Bolt expects: Events API bodies are JSON,
 * interactivity is a form with a JSON `payload`, slash commands are a plain form.
 */
export function parseRequestBody(raw: Buffer, contentType: string | undefined): SlackBody | undefined {
  const text = raw.toString('utf8');
  try {
    if (contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      const form = new URLSearchParams(text);
      const payload = form.get('payload');
      return payload === null ? Object.fromEntries(form) : asObject(JSON.parse(payload));
    }
    return asObject(JSON.parse(text));
  } catch {
    return undefined;
  }
}

function asObject(value: unknown): SlackBody | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as SlackBody) : undefined;
}

/** Slack's connectivity probe for slash commands: a form with `ssl_check=1`, unsigned. */
export function isSslCheck(raw: Buffer, contentType: string | undefined): boolean {
  return (
    !!contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded') &&
    new URLSearchParams(raw.toString('utf8')).get('ssl_check') === '1'
  );
}

export const urlVerificationSchema = z.object({ type: z.literal('url_verification'), challenge: z.string() });

export const eventEnvelopeSchema = z.object({
  type: z.literal('event_callback'),
  event_id: z.string().min(1),
  team_id: z.string().optional(),
  api_app_id: z.string().optional(),
});

export const messageEventSchema = z.object({
  type: z.literal('message'),
  channel: z.string(),
  channel_type: z.string().optional(),
  user: z.string().optional(),
  text: z.string().optional(),
  subtype: z.string().optional(),
  bot_id: z.string().optional(),
  hidden: z.boolean().optional(),
});
export type MessageEvent = z.infer<typeof messageEventSchema>;

export const mentionEventSchema = z.object({
  type: z.literal('app_mention'),
  channel: z.string(),
  user: z.string().optional(),
  bot_id: z.string().optional(),
});

export const homeOpenedEventSchema = z.object({
  type: z.literal('app_home_opened'),
  user: z.string(),
  tab: z.string().optional(),
});

const actionSchema = z.object({
  type: z.string(),
  action_id: z.string(),
  block_id: z.string(),
  value: z.string().optional(),
  selected_date_time: z.number().int().nullable().optional(),
});
export type SlackAction = z.infer<typeof actionSchema>;

export const blockActionsSchema = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id: z.string() }),
  container: z.object({
    type: z.string(),
    channel_id: z.string().optional(),
    message_ts: z.string().optional(),
  }),
  // Only its ts: the message's text and blocks are Slack's copy and never drawn back (redraw.ts).
  message: z.object({ ts: z.string() }).optional(),
  actions: z.array(actionSchema).min(1),
});
export type BlockActions = z.infer<typeof blockActionsSchema>;

export const slashCommandSchema = z.object({
  command: z.string(),
  text: z.string().default(''),
  user_id: z.string(),
  channel_id: z.string(),
  team_id: z.string().optional(),
  api_app_id: z.string().optional(),
});
export type SlashCommand = z.infer<typeof slashCommandSchema>;
