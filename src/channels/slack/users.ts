/**
 * Who a Slack user is to us: their language and time zone. New conversations start in
 * the language and zone of the Slack profile (users.info, cached); once a conversation
 * exists, its own settings win, since the person may have switched language in the chat.
 */
import type { Logger } from 'pino';
import type { UserHints } from '../../conversation/service.ts';
import type { Locale, UserRef } from '../../conversation/types.ts';
import { userTag } from '../../observability/logger.ts';
import type { Store, UserRecord } from '../../store/types.ts';
import type { SlackProfile } from './api.ts';
import { describeError } from './errors.ts';

/** `ja-JP` -> ja, `en-US`/`en-GB` -> en; other languages get the app default. */
export function localeFromSlack(locale: string | undefined): Locale | undefined {
  const language = locale?.toLowerCase().split(/[-_]/)[0];
  return language === 'ja' || language === 'en' ? language : undefined;
}

export function timeZoneFromSlack(tz: string | undefined): string | undefined {
  if (!tz) return undefined;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return tz;
  } catch {
    return undefined;
  }
}

export function slackUser(userId: string): UserRef {
  return { channel: 'slack', id: userId };
}

export interface Preferences {
  locale: Locale;
  timeZone: string;
  record?: UserRecord;
}

export interface SlackUsersOptions {
  profile: (userId: string) => Promise<SlackProfile>;
  store: Store;
  defaults: { locale: Locale; timeZone: string };
  logger: Logger;
  clock: () => Date;
  ttlMs?: number;
  maxEntries?: number;
}

interface CacheEntry {
  expires: number;
  hints: Promise<UserHints>;
}

export class SlackUsers {
  private readonly options: SlackUsersOptions;
  private readonly cache = new Map<string, CacheEntry>();

  constructor(options: SlackUsersOptions) {
    this.options = options;
  }

  /** Language and zone from the Slack profile; empty when Slack cannot tell us. */
  hints(userId: string): Promise<UserHints> {
    const now = this.options.clock().getTime();
    const cached = this.cache.get(userId);
    if (cached && cached.expires > now) return cached.hints;
    // Concurrent lookups for one person share one users.info call.
    const hints = this.lookup(userId);
    this.remember(userId, { expires: now + (this.options.ttlMs ?? 6 * 3_600_000), hints });
    return hints;
  }

  /** The language and zone to speak to this person in, outside the conversation itself. */
  async preferences(userId: string): Promise<Preferences> {
    const { store, defaults } = this.options;
    const record = await store.users.get(slackUser(userId));
    if (record) return { locale: record.locale, timeZone: record.timeZone, record };
    const hints = await this.hints(userId);
    return { locale: hints.locale ?? defaults.locale, timeZone: hints.timeZone ?? defaults.timeZone };
  }

  private async lookup(userId: string): Promise<UserHints> {
    try {
      const profile = await this.options.profile(userId);
      const locale = localeFromSlack(profile.locale);
      const timeZone = timeZoneFromSlack(profile.tz);
      return { ...(locale ? { locale } : {}), ...(timeZone ? { timeZone } : {}) };
    } catch (error) {
      // Not knowing the language is no reason to leave a message unanswered: use defaults.
      this.cache.delete(userId);
      this.options.logger.warn({ user: userTag(slackUser(userId)), error: describeError(error) }, 'slack users.info failed');
      return {};
    }
  }

  private remember(userId: string, entry: CacheEntry): void {
    this.cache.delete(userId);
    if (this.cache.size >= (this.options.maxEntries ?? 10_000)) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(userId, entry);
  }
}
