/**
 * The one entry point for everything that touches a conversation: user messages, button
 * taps, and (later) reminders. Per user, inputs run in order inside a process, and a
 * compare-and-set on the session version keeps processes from overwriting each other:
 * on a conflict the pure step is simply computed again on the fresh session.
 */
import type { Logger } from 'pino';
import type { HandoffSettings } from '../handoff/types.ts';
import { userTag } from '../observability/logger.ts';
import type { Store } from '../store/types.ts';
import { meetingAt } from './conditions.ts';
import type { Content } from './content.ts';
import { step, type EngineContext } from './engine.ts';
import { KeyedQueue } from './keyed-queue.ts';
import type { ReminderSettings } from './reminder-plan.ts';
import type { Session } from './session.ts';
import type { Inbound, Locale, Outbound, SideEffect, UserRef } from './types.ts';

/** Who a step's effects concern, and the session it saved (`null`: the user's data is being deleted). */
export interface EffectContext {
  user: UserRef;
  session: Session | null;
}

/**
 * One handler per effect kind, built in runtime.ts: a kind added to `SideEffect` without a
 * handler fails the typecheck. Handlers run in the order the step raised the effects.
 */
export type EffectHandlers = {
  readonly [K in SideEffect['type']]: (effect: Extract<SideEffect, { type: K }>, context: EffectContext) => Promise<void>;
};

/** Sees every step's effects at once, after the handlers (counters, analytics). */
export type EffectObserver = (user: UserRef, effects: SideEffect[], session: Session | null) => Promise<void>;

/** What a channel knows about a new user (LINE profile language, Slack tz). */
export interface UserHints {
  locale?: Locale;
  timeZone?: string;
}

/** Where an input comes from, when a platform event carried it. */
export interface HandleOptions {
  /**
   * The event's id: the saved session remembers the last event it applied and its answer,
   * so the same event handled again (a worker died before acknowledging it) is not stepped
   * twice; its answer is returned with `replayed` set.
   */
  eventId?: string;
  /**
   * Only for a user with no session yet (a greeting when someone opens the app): anyone else
   * is left as they are. Decided here, after the replay check, so a replayed greeting is
   * still answered.
   */
  onlyIfNew?: boolean;
}

/** The session as stored: the last event applied rides along with it, in the same write. */
type StoredSession = Session & { lastEvent?: { id: string; messages: Outbound[] } };

export interface ConversationServiceOptions {
  content: Content;
  store: Store;
  logger: Logger;
  clock?: () => Date;
  maxDaysAhead: number;
  defaults: { locale: Locale; timeZone: string };
  reminders?: ReminderSettings;
  /** Someone answers advisor requests (a staff route is configured); without it none are offered. */
  advisor?: HandoffSettings;
  /** What each effect does; without them effects are only returned (`npm run chat`, tests of the core). */
  effects?: EffectHandlers;
  /** Compare-and-set attempts before giving up (the caller answers 5xx so the platform retries). */
  maxAttempts?: number;
  /** How long an idle session is kept; longer while reminders are still planned. */
  sessionTtlSeconds: number;
}

export class ConcurrentUpdateError extends Error {
  constructor(attempts: number) {
    super(`session kept changing under us; gave up after ${attempts} attempts`);
    this.name = 'ConcurrentUpdateError';
  }
}

export interface HandleResult {
  messages: Outbound[];
  effects: SideEffect[];
  /** The saved session; `null` when the user's data was deleted or there was nothing to keep. */
  session: Session | null;
  /** The event had been applied already: `messages` is its saved answer, nothing was stepped. */
  replayed?: boolean;
}

export class ConversationService {
  private readonly queue = new KeyedQueue();
  private readonly options: ConversationServiceOptions;
  private readonly clock: () => Date;
  private readonly observers: EffectObserver[] = [];

  constructor(options: ConversationServiceOptions) {
    this.options = options;
    this.clock = options.clock ?? (() => new Date());
  }

  /** Adds an observer of every step's effects (counters, analytics). */
  onEffects(observer: EffectObserver): void {
    this.observers.push(observer);
  }

  handle(user: UserRef, input: Inbound, hints: UserHints = {}, options: HandleOptions = {}): Promise<HandleResult> {
    return this.queue.run(`${user.channel}:${user.id}`, () => this.process(user, input, hints, options));
  }

  /** Waits for every input already accepted (graceful shutdown). */
  drain(): Promise<void> {
    return this.queue.drain();
  }

  private async process(user: UserRef, input: Inbound, hints: UserHints, { eventId, onlyIfNew }: HandleOptions): Promise<HandleResult> {
    const { store, logger } = this.options;
    const maxAttempts = this.options.maxAttempts ?? 50;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const stored = await store.sessions.get(user);
      const { lastEvent, ...value } = (stored?.value ?? {}) as StoredSession;
      if (eventId !== undefined && lastEvent?.id === eventId) {
        return { session: value as Session, messages: lastEvent.messages, effects: [], replayed: true };
      }
      if (onlyIfNew && stored) return { session: value as Session, messages: [], effects: [] };
      const current = stored && { version: stored.version, value: value as Session };
      const ctx = this.context(hints);
      const { session, messages, effects } = step(ctx, current?.value, input);
      if (session === undefined) return { session: null, messages, effects };
      if (session === null) {
        // Handlers first: they find what to undo (reminder jobs) through the user's keys.
        await this.runEffects(user, effects, null);
        await store.deleteUser(user);
        logger.info({ user: userTag(user) }, 'user data deleted on request');
        return { session, messages, effects };
      }
      const saved: StoredSession = eventId === undefined ? session : { ...session, lastEvent: { id: eventId, messages } };
      if (!(await store.sessions.compareAndSet(user, current?.version ?? 0, saved, this.sessionTtl(session, ctx.now)))) {
        // Another process got there first; back off a little so we do not collide again.
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, attempt * 5)));
        continue;
      }
      logger.debug(
        { user: userTag(user), input: input.kind, state: session.state, effects: effects.map((e) => e.type) },
        'conversation step',
      );
      await this.syncUserRecord(user, session, current?.value);
      await this.runEffects(user, effects, session);
      return { session, messages, effects };
    }
    throw new ConcurrentUpdateError(maxAttempts);
  }

  /**
   * What `handle` would answer now, computed on the stored session without saving anything,
   * and the version it was computed on: reminders are worded ahead of their due second and
   * stepped when sent, so the session never runs ahead of what the user has seen.
   */
  async preview(user: UserRef, input: Inbound): Promise<{ messages: Outbound[]; version: number; locale: Locale; timeZone: string }> {
    const stored = await this.options.store.sessions.get(user);
    const { lastEvent: _, ...value } = (stored?.value ?? {}) as StoredSession;
    const session = stored && (value as Session);
    const { messages } = step(this.context({}), session, input);
    const { defaults } = this.options;
    return { messages, version: stored?.version ?? 0, locale: session?.locale ?? defaults.locale, timeZone: session?.timeZone ?? defaults.timeZone };
  }

  private context(hints: UserHints): EngineContext {
    return {
      content: this.options.content,
      now: this.clock(),
      maxDaysAhead: this.options.maxDaysAhead,
      ...(this.options.reminders ? { reminders: this.options.reminders } : {}),
      ...(this.options.advisor ? { advisor: this.options.advisor } : {}),
      defaults: {
        locale: hints.locale ?? this.options.defaults.locale,
        timeZone: hints.timeZone ?? this.options.defaults.timeZone,
      },
    };
  }

  private async runEffects(user: UserRef, effects: SideEffect[], session: Session | null): Promise<void> {
    const handlers = this.options.effects;
    if (handlers) {
      for (const effect of effects) {
        // The map pairs each kind with its own handler; TypeScript cannot follow that through the union.
        const handle = handlers[effect.type] as (effect: SideEffect, context: EffectContext) => Promise<void>;
        await handle(effect, { user, session });
      }
    }
    for (const observer of this.observers) await observer(user, effects, session);
  }

  /** A session must outlive its last planned reminder, or the reminder would find nobody to remind. */
  private sessionTtl(session: Session, now: Date): number {
    const lastReminder = Math.max(0, ...(session.reminders ?? []).map((r) => Date.parse(r.at)));
    const untilReminder = Math.ceil((lastReminder - now.getTime()) / 1000) + 7 * 86_400;
    return Math.max(this.options.sessionTtlSeconds, untilReminder);
  }

  /**
   * Keeps the user record (audiences, reminders) in step with the session. A projection of
   * the session rather than effects: the first record of a user, a verdict dropped by going
   * back or restarting, and the time zone raise no effect. Most steps change
   * nothing it holds (a question answered, help asked); those skip the write.
   */
  private async syncUserRecord(user: UserRef, session: Session, previous: Session | undefined): Promise<void> {
    const patch = this.recordFields(session);
    if (previous && JSON.stringify(this.recordFields(previous)) === JSON.stringify(patch)) return;
    await this.options.store.users.update(user, patch);
  }

  private recordFields(session: Session) {
    const meeting = meetingAt(this.options.content.flow, session.answers);
    return {
      locale: session.locale,
      timeZone: session.timeZone,
      optedOut: session.optedOut,
      verdict: session.verdict ?? null,
      meetingAt: meeting ? meeting.toISOString() : null,
    };
  }
}
