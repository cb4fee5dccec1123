/**
 * What happens to the events of one webhook: each is claimed once (dedupe on
 * `webhookEventId`), run in delivery order per user (users in parallel), and its answer
 * handed to the background delivery. The status tells LINE whether to redeliver: 200 only
 * when every event's step is saved; 5xx when something could not be stored or handled,
 * with the claims of those events given back so the redelivery is processed.
 */
import type { Logger } from 'pino';
import type { Content } from '../../conversation/content.ts';
import { translate } from '../../conversation/i18n.ts';
import type { ConversationService, UserHints } from '../../conversation/service.ts';
import { LOCALES, type Locale } from '../../conversation/types.ts';
import { userTag } from '../../observability/logger.ts';
import type { Store } from '../../store/types.ts';
import type { EventClaims } from '../event-claims.ts';
import type { LineApi } from './client.ts';
import type { Delivery } from './delivery.ts';
import { parseEvents } from './events.ts';
import { describeError } from './log-safe.ts';
import { renderMessages } from './render.ts';
import { orderKey, toTask, type LineTask } from './to-inbound.ts';

/** A busy group hears the "1:1 only" notice at most this often. */
export const GROUP_NOTICE_TTL_SECONDS = 86_400;

export interface WebhookDeps {
  store: Store;
  /** Each event once (../event-claims.ts). */
  claims: EventClaims;
  conversations: ConversationService;
  content: Content;
  api: LineApi;
  delivery: Delivery;
  logger: Logger;
  defaults: { locale: Locale; timeZone: string };
  /** How long a follow waits for the profile (language) before greeting in the default language. */
  profileTimeoutMs: number;
}

export type WebhookOutcome = { status: 200 } | { status: 500 | 503; message: string };

type Claimed = Exclude<LineTask, { kind: 'ignore' }>;

export function createWebhookHandler(deps: WebhookDeps): (events: readonly unknown[]) => Promise<WebhookOutcome> {
  const { store, claims, logger } = deps;

  return async function handleEvents(rawEvents) {
    const { events, skipped } = parseEvents(rawEvents);
    for (const s of skipped) logger.info({ index: s.index, type: s.type, reason: s.reason }, 'LINE event skipped');

    const tasks: Claimed[] = [];
    for (const event of events) {
      const task = toTask(event);
      if (task.kind === 'ignore') logger.debug({ type: event.type, reason: task.reason }, 'LINE event ignored');
      else tasks.push(task);
    }

    // Every event is claimed before any is processed: with the store away, nothing runs and LINE redelivers all.
    const results = await Promise.allSettled(tasks.map((t) => claims.claim(t.eventId)));
    const claimed = (i: number) => {
      const claim = results[i]!;
      return claim.status === 'fulfilled' && claim.value;
    };
    const failure = results.find((c) => c.status === 'rejected');
    if (failure) {
      await releaseAll(tasks.filter((_, i) => claimed(i)));
      logger.error({ error: describeError(failure.reason) }, 'could not claim LINE events; asking for redelivery');
      return { status: 503, message: 'storage unavailable' };
    }
    const fresh = tasks.filter((task, i) => {
      if (!claimed(i)) logger.info({ redelivery: redelivered(events, task.eventId) }, 'LINE event already processed; skipped');
      return claimed(i);
    });

    const byKey = new Map<string, Claimed[]>();
    for (const task of fresh) byKey.set(orderKey(task), [...(byKey.get(orderKey(task)) ?? []), task]);
    const failed = (await Promise.all([...byKey.values()].map(runInOrder))).some(Boolean);
    return failed ? { status: 500, message: 'an event could not be processed' } : { status: 200 };
  };

  /** Runs one user's events in order; after a failure the rest wait for the redelivery, to keep the order. */
  async function runInOrder(tasks: Claimed[]): Promise<boolean> {
    for (const [i, task] of tasks.entries()) {
      try {
        await run(task);
        await claims.confirm(task.eventId);
      } catch (error) {
        logger.error(
          { error: describeError(error), kind: task.kind, user: 'user' in task ? userTag(task.user) : undefined },
          'LINE event failed; asking for redelivery',
        );
        await releaseAll(tasks.slice(i));
        return true;
      }
    }
    return false;
  }

  async function releaseAll(tasks: Claimed[]): Promise<void> {
    const results = await Promise.allSettled(tasks.map((t) => claims.release(t.eventId)));
    // Nothing more can be done here: the claim expires and a later redelivery is skipped until then.
    if (results.some((r) => r.status === 'rejected')) logger.error('could not release LINE event claims');
  }

  async function run(task: Claimed): Promise<void> {
    switch (task.kind) {
      case 'unfollow':
        await store.users.update(task.user, { blocked: true });
        // Cancels their reminders through the same per-user path as everything else.
        await deps.conversations.handle(task.user, { kind: 'blocked' });
        logger.info({ user: userTag(task.user) }, 'LINE user blocked the bot');
        return;
      case 'groupNotice':
        return groupNotice(task);
      case 'converse':
        return converse(task);
    }
  }

  async function converse(task: Extract<Claimed, { kind: 'converse' }>): Promise<void> {
    const loading = deps.delivery.startLoading(task.user.id);
    try {
      const hints: UserHints = {};
      if (task.follow) {
        const locale = await profileLocale(task.user.id);
        if (locale) hints.locale = locale;
        await store.users.update(task.user, { blocked: false, unreachable: false });
      }
      const result = await deps.conversations.handle(task.user, task.input, hints);
      const messages = renderMessages(result.messages, {
        catalog: deps.content.catalog,
        locale: result.session?.locale ?? hints.locale ?? deps.defaults.locale,
        timeZone: result.session?.timeZone ?? deps.defaults.timeZone,
      });
      deps.delivery.send({
        chatKey: `user:${task.user.id}`,
        tag: userTag(task.user),
        pushTo: task.user.id,
        sendId: task.eventId,
        messages,
        ...(task.replyToken ? { replyToken: task.replyToken } : {}),
        ...(loading ? { loading } : {}),
      });
    } catch (error) {
      await loading?.stop();
      throw error;
    }
  }

  async function groupNotice(task: Extract<Claimed, { kind: 'groupNotice' }>): Promise<void> {
    if (!(await store.dedupe.claim('line-group-notice', task.chatId, GROUP_NOTICE_TTL_SECONDS))) return;
    deps.delivery.send({
      chatKey: `chat:${task.chatId}`,
      tag: userTag({ channel: 'line', id: task.chatId }),
      sendId: task.eventId,
      replyToken: task.replyToken,
      messages: [{ type: 'text', text: translate(deps.content.catalog, deps.defaults.locale, 'line.group_notice') }],
    });
  }

  /** The user's LINE language if we speak it; never lets a slow or failing profile call block the greeting. */
  async function profileLocale(userId: string): Promise<Locale | undefined> {
    const profile = await deps.api.getProfile(userId, deps.profileTimeoutMs).catch(() => undefined);
    const language = profile?.language?.toLowerCase().split('-')[0];
    return LOCALES.find((l) => l === language);
  }
}

function redelivered(events: readonly { webhookEventId: string; deliveryContext?: { isRedelivery: boolean } | undefined }[], id: string): boolean {
  return events.find((e) => e.webhookEventId === id)?.deliveryContext?.isRedelivery ?? false;
}
