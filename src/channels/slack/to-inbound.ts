/**
 * Slack events, actions and slash commands to neutral input. Pure translation: which
 * Slack message counts as user input and what a button means, never what happens next.
 */
import type { Action, Flow } from '../../conversation/flow-schema.ts';
import { normalizeText } from '../../conversation/normalize.ts';
import type { Inbound, Locale } from '../../conversation/types.ts';
import {
  CHOICE_ACTION_PREFIX,
  DATETIME_ACTION,
  HOME_COMMAND_PREFIX,
  HOME_START_ACTION,
  isHomeCommand,
  stateOfBlockId,
  type HomeCommand,
} from './action-ids.ts';
import { blockActionsSchema, messageEventSchema, type SlackAction } from './payloads.ts';

export type FlowCommands = Flow['commands'];

export interface MessageInput {
  userId: string;
  channelId: string;
  input: Inbound;
}

/** A direct message from a person; bots, edits, deletions and other subtypes are not input. */
export function messageToInput(event: unknown): MessageInput | undefined {
  const parsed = messageEventSchema.safeParse(event);
  if (!parsed.success) return undefined;
  const message = parsed.data;
  if (message.channel_type !== 'im' || !message.user || message.bot_id || message.hidden) return undefined;
  const base = { userId: message.user, channelId: message.channel };
  // A file upload is the person talking to us with something we cannot read; say so.
  if (message.subtype === 'file_share') return { ...base, input: { kind: 'unsupported', what: 'file' } };
  if (message.subtype !== undefined) return undefined;
  return { ...base, input: { kind: 'text', text: slackTextToPlain(message.text ?? '') } };
}

/** Undoes Slack's message markup: entities, links, mentions. */
export function slackTextToPlain(text: string): string {
  return text
    .replace(/<([^<>|]*)(?:\|([^<>]*))?>/g, (_whole, target: string, label: string | undefined) => {
      if (label !== undefined) return target.startsWith('#') ? `#${label}` : label;
      return /^[@#!]/.test(target) ? '' : target;
    })
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** What a person picked, to show in place of the buttons: a choice's value, or an instant. */
export type Chosen = { value: string } | { at: Date };

export type ActionInput =
  | {
      source: 'message';
      userId: string;
      channelId: string;
      messageTs: string;
      state: string;
      input: Inbound;
      chosen: Chosen;
    }
  | { source: 'home'; userId: string; input: Inbound };

/** A button or picker of ours, in a DM message or on the App Home. */
export function actionToInput(body: unknown, commands: FlowCommands): ActionInput | undefined {
  const parsed = blockActionsSchema.safeParse(body);
  if (!parsed.success) return undefined;
  const { user, container, actions } = parsed.data;
  const action = actions[0]!;
  if (container.type === 'view') {
    const input = homeActionToInput(action, commands);
    return input && { source: 'home', userId: user.id, input };
  }
  const channelId = container.channel_id;
  const messageTs = container.message_ts ?? parsed.data.message?.ts;
  if (!channelId || !messageTs) return undefined;
  const found = questionActionToInput(action);
  return found && { source: 'message', userId: user.id, channelId, messageTs, ...found };
}

function questionActionToInput(action: SlackAction): { state: string; input: Inbound; chosen: Chosen } | undefined {
  const state = stateOfBlockId(action.block_id);
  if (state === undefined) return undefined;
  if (action.action_id.startsWith(CHOICE_ACTION_PREFIX) && action.value !== undefined) {
    return { state, input: { kind: 'choice', value: action.value, state }, chosen: { value: action.value } };
  }
  if (action.action_id === DATETIME_ACTION && typeof action.selected_date_time === 'number') {
    const at = new Date(action.selected_date_time * 1000);
    if (Number.isNaN(at.getTime())) return undefined;
    return { state, input: { kind: 'datetime', iso: at.toISOString(), state }, chosen: { at } };
  }
  return undefined;
}

function homeActionToInput(action: SlackAction, commands: FlowCommands): Inbound | undefined {
  if (action.action_id === HOME_START_ACTION) return { kind: 'start' };
  const command = action.action_id.slice(HOME_COMMAND_PREFIX.length);
  if (!action.action_id.startsWith(HOME_COMMAND_PREFIX) || !isHomeCommand(command)) return undefined;
  const text = homeCommandText(command, commands);
  return text === undefined ? undefined : { kind: 'text', text };
}

function homeCommandText(command: HomeCommand, commands: FlowCommands): string | undefined {
  const [action, locale] = command.split(':') as [Action, Locale | undefined];
  return commandKeyword(commands, action, locale);
}

/**
 * The words that trigger a flow command. Buttons and subcommands send these words, so the
 * conversation treats them exactly as if they were typed, and renaming a keyword in the
 * flow cannot break a button.
 */
export function commandKeyword(commands: FlowCommands, action: Action, locale?: Locale): string | undefined {
  return commands.find((c) => c.action === action && c.locale === locale)?.keywords[0];
}

/** `/mendan <text>`: what to tell the conversation, and whether to show the command's usage. */
export interface SlashRequest {
  input?: Inbound;
  usage: boolean;
}

const SUBCOMMANDS: Record<string, { action: Action; locale?: Locale }> = {
  help: { action: 'help' },
  tips: { action: 'showTips' },
  reminders: { action: 'showReminders' },
  reminder: { action: 'showReminders' },
  restart: { action: 'restart' },
  'lang en': { action: 'language', locale: 'en' },
  'lang ja': { action: 'language', locale: 'ja' },
};

export function slashToRequest(text: string, commands: FlowCommands): SlashRequest {
  const words = normalizeText(slackTextToPlain(text)).split(/\s+/).filter(Boolean).join(' ');
  if (words === '') return { input: { kind: 'start' }, usage: false };
  const sub = SUBCOMMANDS[words];
  if (sub) {
    const keyword = commandKeyword(commands, sub.action, sub.locale);
    return { ...(keyword !== undefined ? { input: { kind: 'text', text: keyword } } : {}), usage: sub.action === 'help' };
  }
  // Any word the conversation knows as a command works after /mendan too (e.g. 最初から).
  const known = commands.some((c) => c.keywords.some((k) => normalizeText(k) === words));
  return known ? { input: { kind: 'text', text: words }, usage: false } : { usage: true };
}
