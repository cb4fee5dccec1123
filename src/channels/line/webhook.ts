/**
 * What happens to the events of one LINE webhook, in two halves. `accept` (web processes)
 * puts every event we act on into the inbox, claiming its `webhookEventId` in the same
 * round trip, and tells LINE 200 once they are stored, 503 (with Retry-After) when the
 * inbox is full or Redis is away, so LINE redelivers. `consume` (workers) runs one event:
 * its conversation step, then its answer, the free reply token while it is fresh, else a
 * push whose X-Line-Retry-Key is derived from the event id.
 */
import type { Logger } from 'pino';
import type { Content } from '../../conversation/content.ts';
import { translate } from '../../conversation/i18n.ts';
import type { ConversationService, UserHints } from '../../conversation/service.ts';
import { LOCALES, type Locale } from '../../conversation/types.ts';
import type { InboxEntry, InboxWriter, NewEntry } from '../../inbox/types.ts';
import { userTag } from '../../observability/logger.ts';
import type { Store } from '../../store/types.ts';
import type { LineApi } from './client.ts';
import type { Delivery } from './delivery.ts';
import { parseEvents } from './events.ts';
import { describeError } from './log-safe.ts';
import { renderMessages } from './render.ts';
import { orderKey, toTask, type LineTask } from './to-inbound.ts';

/** A busy group hears the "1:1 only" notice at most this often. */
export const GROUP_NOTICE_TTL_SECONDS = 86_400;

/** LINE takes a reply token for about a minute after the event; past this we push instead. */
export const REPLY_TOKEN_FRESH_MS = 50_000;

export interface WebhookDeps {
  store: Store;
  /** Where accepted events wait for a worker. */
  inbox: InboxWriter;
  conversations: ConversationService;
  content: Content;
  api: LineApi;
  delivery: Delivery;
  logger: Logger;
  defaults: { locale: Locale; timeZone: string };
  /** How long a follow waits for the profile (language) before greeting in the default language. */
  profileTimeoutMs: number;
}

export type WebhookOutcome = { status: 200 } | { status: 503; message: string; retryAfterSeconds?: number };

type Claimed = Exclude<LineTask, { kind: 'ignore' }>;

export interface LineEvents {
  accept(events: readonly unknown[]): Promise<WebhookOutcome>;
  consume(entry: InboxEntry): Promise<void>;
}

export function createWebhookHandler(deps: WebhookDeps): LineEvents {
  const { store, logger } = deps;

  async function accept(rawEvents: readonly unknown[]): Promise<WebhookOutcome> {
    const { events, skipped } = parseEvents(rawEvents);
    for (const s of skipped) logger.info({ index: s.index, type: s.type, reason: s.reason }, 'LINE event skipped');
    const entries: NewEntry[] = [];
    for (const event of events) {
      const task = toTask(event);
      if (task.kind === 'ignore') logger.debug({ type: event.type, reason: task.reason }, 'LINE event ignored');
      else entries.push({ channel: 'line', key: orderKey(task), eventId: task.eventId, data: JSON.stringify(event) });
    }
    if (!entries.length) return { status: 200 };
    try {
      const outcome = await deps.inbox.append(entries);
      if (outcome.status === 'full') {
        logger.warn({ events: entries.length }, 'inbox over its depth; LINE asked to redeliver');
        return { status: 503, message: 'busy', retryAfterSeconds: 5 };
      }
      if (outcome.duplicates) logger.debug({ duplicates: outcome.duplicates }, 'LINE event already accepted; skipped');
      return { status: 200 };
    } catch (error) {
      logger.error({ error: describeError(error) }, 'could not store LINE events; asking for redelivery');
      return { status: 503, message: 'storage unavailable' };
    }
  }

  /** Runs one accepted event; a throw leaves it in the inbox for another try. */
  async function consume(entry: InboxEntry): Promise<void> {
    const [event] = parseEvents([JSON.parse(entry.data)]).events;
    if (!event) return;
    const task = toTask(event);
    if (task.kind === 'ignore') return;
    try {
      await run(task, entry);
    } catch (error) {
      logger.error(
        { error: describeError(error), kind: task.kind, user: 'user' in task ? userTag(task.user) : undefined },
        'LINE event failed; it stays in the inbox',
      );
      throw error;
    }
  }

  return { accept, consume };

  async function run(task: Claimed, entry: InboxEntry): Promise<void> {
    switch (task.kind) {
      case 'unfollow':
        await store.users.update(task.user, { blocked: true });
        // Cancels their reminders through the same per-user path as everything else.
        await deps.conversations.handle(task.user, { kind: 'blocked' }, {}, { eventId: task.eventId });
        logger.info({ user: userTag(task.user) }, 'LINE user blocked the bot');
        return;
      case 'groupNotice':
        return groupNotice(task, fresh(entry));
      case 'converse':
        return converse(task, entry);
    }
  }

  async function converse(task: Extract<Claimed, { kind: 'converse' }>, entry: InboxEntry): Promise<void> {
    const loading = deps.delivery.startLoading(task.user.id);
    try {
      const hints: UserHints = {};
      if (task.follow) {
        const locale = await profileLocale(task.user.id);
        if (locale) hints.locale = locale;
        await store.users.update(task.user, { blocked: false, unreachable: false });
      }
      const result = await deps.conversations.handle(task.user, task.input, hints, { eventId: task.eventId });
      const messages = renderMessages(result.messages, {
        catalog: deps.content.catalog,
        locale: result.session?.locale ?? hints.locale ?? deps.defaults.locale,
        timeZone: result.session?.timeZone ?? deps.defaults.timeZone,
      });
      // A replayed answer may have gone out by reply before a crash; only a push (retry key) is safe to repeat.
      const replyToken = task.replyToken && fresh(entry) && !result.replayed ? task.replyToken : undefined;
      await deps.delivery.send({
        chatKey: `user:${task.user.id}`,
        tag: userTag(task.user),
        pushTo: task.user.id,
        sendId: task.eventId,
        messages,
        ...(replyToken ? { replyToken } : {}),
        ...(loading ? { loading } : {}),
      });
    } catch (error) {
      await loading?.stop();
      throw error;
    }
  }

  async function groupNotice(task: Extract<Claimed, { kind: 'groupNotice' }>, replyable: boolean): Promise<void> {
    // Nothing to push to a group: without a fresh token the notice waits for the next message.
    if (!replyable || !(await store.dedupe.claim('line-group-notice', task.chatId, GROUP_NOTICE_TTL_SECONDS))) return;
    await deps.delivery.send({
      chatKey: `chat:${task.chatId}`,
      tag: userTag({ channel: 'line', id: task.chatId }),
      sendId: task.eventId,
      replyToken: task.replyToken,
      messages: [{ type: 'text', text: translate(deps.content.catalog, deps.defaults.locale, 'line.group_notice') }],
    });
  }

  function fresh(entry: InboxEntry): boolean {
    return Date.now() - entry.acceptedAt < REPLY_TOKEN_FRESH_MS;
  }

  /** The user's LINE language if we speak it; never lets a slow or failing profile call block the greeting. */
  async function profileLocale(userId: string): Promise<Locale | undefined> {
    const profile = await deps.api.getProfile(userId, deps.profileTimeoutMs).catch(() => undefined);
    const language = profile?.language?.toLowerCase().split('-')[0];
    return LOCALES.find((l) => l === language);
  }
}
