/**
 * The advisor handoff, from the user's request to a staff member's reply and back to the
 * bot. The conversation raises effects (requested, a message, wait, back to the bot); staff
 * act through the Slack thread or the staff page. Every message is kept with the handoff,
 * every staff action audited with the staff name; replies reach the user through a job, so
 * a crash mid-push is retried with the same retry key and delivers once.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Content } from '../conversation/content.ts';
import { formatMeetingTime } from '../conversation/dates.ts';
import { translate, type Vars } from '../conversation/i18n.ts';
import type { Locale, UserRef } from '../conversation/types.ts';
import type { HandoffInsights } from '../insights/recorder.ts';
import { userTag } from '../observability/logger.ts';
import type { HandoffStore } from '../store/handoff-store.ts';
import { REPLY_LIMITS } from './limits.ts';
import { dueAt, isOverdue } from './overdue.ts';
import type { AuditPort, ConversationEvent, HandoffJobs, PushToUser, StaffChannel, StaffView } from './ports.ts';
import { splitMessage, type SplitResult } from './split.ts';
import { summarize } from './summary.ts';
import type { DeliveryState, Handoff, HandoffMessage, HandoffSettings } from './types.ts';

/** A user's message is posted into the Slack thread in at most this many parts (LINE allows 5,000 characters, Slack DMs far more). */
const THREAD_PARTS = 20;

export type HandoffErrorCode = 'not_found' | 'ended' | 'text_too_long';

export class HandoffError extends Error {
  readonly code: HandoffErrorCode;
  constructor(code: HandoffErrorCode, message: string) {
    super(message);
    this.name = 'HandoffError';
    this.code = code;
  }
}

/** What the conversation knows when the user asks (the session's answers and last words). */
export interface RequestContext {
  locale: Locale;
  timeZone: string;
  answers: Readonly<Record<string, string>>;
  verdict?: Parameters<typeof summarize>[1]['verdict'];
  recent?: readonly string[];
}

export interface StaffReply {
  handoffId: string;
  staff: string;
  text: string;
  via: 'slack' | 'page';
  /** Stable for one reply (the Slack message, the page's Idempotency-Key): a repeat is not sent again. */
  messageId: string;
}

export interface HandoffServiceDeps {
  store: HandoffStore;
  isBlocked(user: UserRef): Promise<boolean>;
  push: PushToUser;
  conversation: ConversationEvent;
  jobs: HandoffJobs;
  audit: AuditPort;
  content: Content;
  settings: HandoffSettings;
  /** The staff's language and the agency's zone (DEFAULT_LOCALE, DEFAULT_TIME_ZONE). */
  staff: { locale: Locale; timeZone: string };
  staffChannel?: StaffChannel;
  displayName?: (user: UserRef) => Promise<string | undefined>;
  /** Counts requests, first answers and overdue waits for the staff's insights. */
  insights?: HandoffInsights;
  logger: Logger;
  clock?: () => Date;
}

export class HandoffService {
  private readonly deps: HandoffServiceDeps;
  private readonly clock: () => Date;

  constructor(deps: HandoffServiceDeps) {
    this.deps = deps;
    this.clock = deps.clock ?? (() => new Date());
  }

  /** The storage behind it (the Slack thread listener looks requests up by thread). */
  store() {
    return this.deps.store;
  }

  /** Staff-language text. */
  staffText(key: string, vars?: Vars): string {
    return translate(this.deps.content.catalog, this.deps.staff.locale, key, vars);
  }

  // -------------------------------------------------------------------------- the user's side

  async request(user: UserRef, context: RequestContext): Promise<Handoff> {
    const { store, settings, content, staff, logger } = this.deps;
    const now = this.clock();
    const name = await this.deps.displayName?.(user).catch(() => undefined);
    const { handoff, created } = await store.open({
      id: randomUUID(),
      user,
      ...(name ? { displayName: name } : {}),
      locale: context.locale,
      timeZone: context.timeZone,
      createdAt: now.toISOString(),
      dueAt: dueAt(now, settings).toISOString(),
      summary: summarize(content, context, staff),
    });
    if (!created) return handoff;
    logger.info({ user: userTag(user), handoff: handoff.id }, 'advisor requested');
    await this.deps.insights?.handoffRequested();
    await this.deps.jobs.checkOverdue(handoff.id, handoff.dueAt!);
    if (!this.deps.staffChannel) return handoff;
    try {
      return (await this.post(handoff)) ?? handoff;
    } catch (error) {
      // The staff page lists it meanwhile; a job posts it once Slack takes it again.
      logger.error({ handoff: handoff.id, err: error }, 'could not post the advisor request to the staff channel; a job will try again');
      await this.deps.jobs.postRequest(handoff.id);
      return handoff;
    }
  }

  /** The job behind a request that could not be posted at once: throws, to be tried again, while Slack fails. */
  async postRequest(handoffId: string): Promise<void> {
    const handoff = await this.deps.store.get(handoffId);
    // Posted meanwhile, or over before Slack came back: nothing for the channel to act on.
    if (!handoff || handoff.slackTs || handoff.status === 'ended') return;
    const posted = await this.post(handoff);
    this.deps.logger.info({ handoff: handoffId }, 'advisor request posted to the staff channel after a failure');
    if (!posted) return;
    // What was said before the thread existed, so the thread reads as the whole conversation.
    for (const message of await this.deps.store.messages(handoffId)) {
      if (message.from === 'user') await this.userSaid(posted, message.text);
      else if (message.via === 'page') await this.note(posted, this.staffText('handoff.staff.page_reply', { staff: message.staff ?? '', text: message.text }));
    }
  }

  /** Posts the request (with what was said so far) and remembers its thread. */
  private async post(handoff: Handoff): Promise<Handoff | undefined> {
    const where = await this.deps.staffChannel!.postRequest(await this.view(handoff));
    return this.deps.store.update(handoff.id, { slackChannel: where.channel, slackTs: where.ts });
  }

  /** The user wrote while a staff member handles the conversation. */
  async userMessage(user: UserRef, text: string): Promise<void> {
    const handoff = await this.deps.store.active(user);
    if (!handoff) return;
    const now = this.clock();
    await this.deps.store.append(handoff.id, { id: randomUUID(), at: now.toISOString(), from: 'user', text });
    await this.userSaid(handoff, text);
    // Answered before: a new question starts a new wait.
    if (!handoff.dueAt) await this.startWaiting(handoff, now);
  }

  /** The user chose to keep waiting after being told no answer came in time. */
  async userWaits(user: UserRef): Promise<void> {
    const handoff = await this.deps.store.active(user);
    if (!handoff) return;
    const due = await this.startWaiting(handoff, this.clock());
    await this.note(handoff, this.staffText('handoff.staff.user_waits', { due: this.staffTime(due) }));
    await this.redraw(handoff.id);
  }

  /** The user blocked the bot: the request is redrawn as blocked. */
  async userLeft(user: UserRef): Promise<void> {
    const handoff = await this.deps.store.active(user);
    if (handoff) await this.redraw(handoff.id);
  }

  /** The user went back to the bot. */
  async userEnded(user: UserRef): Promise<void> {
    const handoff = await this.deps.store.active(user);
    if (!handoff) return;
    await this.deps.store.end(handoff.id, 'user', this.clock().toISOString());
    await this.note(handoff, this.staffText('handoff.staff.ended_by_user'));
    await this.redraw(handoff.id);
  }

  /** The user deleted their data: the staff are told, then every handoff of theirs is removed. */
  async forget(user: UserRef): Promise<void> {
    const handoff = await this.deps.store.active(user);
    if (handoff) {
      const ended = await this.deps.store.end(handoff.id, 'user', this.clock().toISOString());
      await this.note(handoff, this.staffText('handoff.staff.ended_deleted'));
      // Redrawn without the summary: nothing of theirs stays on the staff's screen.
      if (ended && this.deps.staffChannel && handoff.slackTs) {
        const bare = { ...ended.handoff, summary: { answers: [], recent: [] } };
        await this.deps.staffChannel.updateRequest({ handoff: bare, blocked: false, overdue: false, messages: [] }).catch(() => undefined);
      }
    }
    await this.deps.store.deleteForUser(user);
  }

  // -------------------------------------------------------------------------- the staff's side

  async list(limit: number): Promise<StaffView[]> {
    const handoffs = await this.deps.store.list(limit);
    return Promise.all(handoffs.map((h) => this.view(h, { messages: false })));
  }

  async get(id: string): Promise<StaffView> {
    return this.view(await this.mustGet(id));
  }

  async take(id: string, staff: string): Promise<StaffView> {
    const before = await this.mustGet(id);
    const result = await this.deps.store.take(id, staff, this.clock().toISOString());
    if (!result) throw notFound(id);
    if (!result.ok) throw new HandoffError('ended', 'this conversation is already back with the bot');
    if (before.takenBy !== staff) {
      const line = result.previous
        ? this.staffText('handoff.staff.taken_over', { staff, previous: result.previous })
        : this.staffText('handoff.staff.taken', { staff });
      await this.note(result.handoff, line);
      await this.deps.audit.record({ staff, action: 'handoff.take', target: id, ...(result.previous ? { detail: { previous: result.previous } } : {}) });
      await this.redraw(id);
    }
    return this.view(result.handoff);
  }

  /** Staff hand the user back to the bot; the user is told. Ending twice is fine. */
  async end(id: string, staff: string): Promise<StaffView> {
    const result = await this.deps.store.end(id, staff, this.clock().toISOString());
    if (!result) throw notFound(id);
    if (result.changed) {
      const { user } = result.handoff;
      const messages = await this.deps.conversation(user, 'ended');
      if (messages.length && !(await this.deps.isBlocked(user))) await this.deps.push(user, messages, `handoff-end:${id}`);
      await this.note(result.handoff, this.staffText('handoff.staff.ended_by_staff', { staff }));
      await this.deps.audit.record({ staff, action: 'handoff.end', target: id });
      await this.redraw(id);
    }
    return this.view(result.handoff);
  }

  /**
   * A staff reply: kept, then delivered by a job. Refused (never truncated) when longer than
   * the user's platform takes in one delivery. The same `messageId` again changes nothing.
   */
  async reply(reply: StaffReply): Promise<HandoffMessage> {
    const { store, audit } = this.deps;
    const handoff = await this.mustGet(reply.handoffId);
    const text = reply.text.trim();
    const base: HandoffMessage = { id: reply.messageId, at: this.clock().toISOString(), from: 'staff', text, staff: reply.staff, via: reply.via };
    if (handoff.status === 'ended') {
      if (reply.via === 'slack') await this.note(handoff, this.staffText('handoff.staff.delivery.ended'));
      throw new HandoffError('ended', 'this conversation is already back with the bot; nothing was sent');
    }
    const split = this.split(handoff, text);
    if (!split.ok) {
      const detail = this.staffText('handoff.staff.delivery.too_long', {
        length: split.length,
        max: split.maxLength,
        parts: split.maxParts,
        channel: this.staffText(`handoff.staff.channel.${handoff.user.channel}`),
      });
      const { created } = await store.append(handoff.id, { ...base, delivery: 'refused', detail });
      if (created && reply.via === 'slack') await this.note(handoff, detail);
      throw new HandoffError('text_too_long', detail);
    }
    const earlier = await store.messages(handoff.id);
    const { message, created } = await store.append(handoff.id, { ...base, delivery: 'pending' });
    if (created) {
      if (!earlier.some((m) => m.from === 'staff' && m.delivery !== 'refused')) await this.deps.insights?.handoffFirstAnswer(new Date(handoff.createdAt));
      // Answering an untaken conversation takes it, so everyone sees who answers.
      if (handoff.status === 'open') await this.take(handoff.id, reply.staff);
      if (reply.via === 'page') await this.note(handoff, this.staffText('handoff.staff.page_reply', { staff: reply.staff, text }));
      await store.update(handoff.id, { dueAt: null, overdueAt: null });
      await audit.record({ staff: reply.staff, action: 'handoff.reply', target: handoff.id, detail: { message: message.id, via: reply.via, length: text.length } });
      if (handoff.dueAt) await this.redraw(handoff.id);
    }
    // Also for a repeat: the first attempt may have died before its job was queued.
    if (message.delivery === 'pending') await this.deps.jobs.deliver(handoff.id, message.id);
    return message;
  }

  /** Waits a little for a reply's delivery to settle, so the page can show "blocked" at once. */
  async settled(handoffId: string, messageId: string, timeoutMs: number): Promise<HandoffMessage | undefined> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const message = (await this.deps.store.messages(handoffId)).find((m) => m.id === messageId);
      if (!message || message.delivery !== 'pending' || Date.now() >= until) return message;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  // -------------------------------------------------------------------------- jobs

  /** Runs in a worker; safe to run again after a crash (same retry key, delivered once). */
  async deliver(handoffId: string, messageId: string): Promise<DeliveryState | undefined> {
    const { store } = this.deps;
    const handoff = await store.get(handoffId);
    const message = handoff && (await store.messages(handoffId)).find((m) => m.id === messageId);
    if (!handoff || !message || message.delivery !== 'pending') return message?.delivery;
    const { user } = handoff;
    let state: DeliveryState;
    let detail: string | undefined;
    const split = this.split(handoff, message.text);
    if (await this.deps.isBlocked(user)) state = 'blocked';
    else if (!split.ok) state = 'refused';
    else {
      const result = await this.deps.push(user, split.parts.map((text) => ({ kind: 'text', text })), `handoff:${handoffId}:${messageId}`);
      state = result.ok ? 'sent' : result.reason;
      detail = result.ok ? undefined : result.detail;
    }
    await store.setDelivery(handoffId, messageId, state, detail);
    if (state !== 'sent') {
      const key = state === 'refused' ? 'failed' : state;
      await this.note(handoff, this.staffText(`handoff.staff.delivery.${key}`, { detail: detail ?? state }));
      await this.redraw(handoffId);
    }
    this.deps.logger.info({ user: userTag(user), handoff: handoffId, delivery: state }, 'staff reply delivered');
    return state;
  }

  /** The overdue check a job runs at `due`: tells the user once per wait, and the staff. */
  async checkOverdue(handoffId: string, due: string): Promise<boolean> {
    const { store } = this.deps;
    const handoff = await store.get(handoffId);
    if (!handoff || handoff.dueAt !== due || handoff.overdueAt || !isOverdue(handoff, this.clock())) return false;
    const { user } = handoff;
    // Told first, marked after: a crash in between tells again with the same retry key, which LINE drops.
    const messages = await this.deps.conversation(user, 'overdue');
    if (messages.length && !(await this.deps.isBlocked(user))) await this.deps.push(user, messages, `handoff-overdue:${handoffId}:${due}`);
    await store.update(handoffId, { overdueAt: this.clock().toISOString() });
    await this.deps.insights?.handoffOverdue();
    await this.note(handoff, this.staffText('handoff.staff.overdue_note'));
    await this.redraw(handoffId);
    return true;
  }

  // -------------------------------------------------------------------------- helpers

  async view(handoff: Handoff, options: { messages: boolean } = { messages: true }): Promise<StaffView> {
    return {
      handoff,
      blocked: await this.deps.isBlocked(handoff.user),
      overdue: isOverdue(handoff, this.clock()),
      messages: options.messages ? await this.deps.store.messages(handoff.id) : [],
    };
  }

  staffTime(iso: string): string {
    return formatMeetingTime(new Date(iso), this.deps.staff.locale, this.deps.staff.timeZone);
  }

  private split(handoff: Handoff, text: string): SplitResult {
    const prefix = translate(this.deps.content.catalog, handoff.locale, 'handoff.user.from_advisor');
    return splitMessage(`${prefix}\n${text}`, REPLY_LIMITS[handoff.user.channel]);
  }

  private async mustGet(id: string): Promise<Handoff> {
    const handoff = await this.deps.store.get(id);
    if (!handoff) throw notFound(id);
    return handoff;
  }

  private async startWaiting(handoff: Handoff, now: Date): Promise<string> {
    const due = dueAt(now, this.deps.settings).toISOString();
    await this.deps.store.update(handoff.id, { dueAt: due, overdueAt: null });
    await this.deps.jobs.checkOverdue(handoff.id, due);
    return due;
  }

  /** The user's words in the thread: a long message whole, in as many posts as it takes. */
  private async userSaid(handoff: Handoff, text: string): Promise<void> {
    const said = splitMessage(this.staffText('handoff.staff.user_said', { text }), { ...REPLY_LIMITS.slack, maxParts: THREAD_PARTS });
    for (const part of said.ok ? said.parts : [this.staffText('handoff.staff.user_said', { text })]) await this.note(handoff, part);
  }

  /** A line in the Slack thread; never fails the action it reports on. */
  private async note(handoff: Handoff, text: string): Promise<void> {
    if (!this.deps.staffChannel || !handoff.slackTs) return;
    await this.deps.staffChannel.postInThread(handoff, text).catch((error: unknown) =>
      this.deps.logger.warn({ handoff: handoff.id, err: error }, 'could not post to the staff thread'),
    );
  }

  private async redraw(id: string): Promise<void> {
    const handoff = await this.deps.store.get(id);
    if (!handoff || !this.deps.staffChannel || !handoff.slackTs) return;
    await this.deps.staffChannel.updateRequest(await this.view(handoff, { messages: false })).catch((error: unknown) =>
      this.deps.logger.warn({ handoff: id, err: error }, 'could not redraw the staff request'),
    );
  }
}

function notFound(id: string): HandoffError {
  return new HandoffError('not_found', `no handoff ${id}`);
}
