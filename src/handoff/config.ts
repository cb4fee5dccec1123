/** The handoff's settings from config, and whether any staff route exists at all. */
import type { Config } from '../config.ts';
import { parseBusinessHours } from './hours.ts';
import type { HandoffSettings } from './types.ts';

export function handoffSettings(config: Pick<Config, 'ADVISOR_HOURS' | 'ADVISOR_REPLY_HOURS' | 'DEFAULT_TIME_ZONE'>): HandoffSettings {
  const hours = config.ADVISOR_HOURS ? parseBusinessHours(config.ADVISOR_HOURS, config.DEFAULT_TIME_ZONE) : undefined;
  return { ...(hours ? { hours } : {}), replyHours: config.ADVISOR_REPLY_HOURS };
}

/**
 * Someone can answer: the Slack staff channel (with the Slack app) or the staff page (with
 * staff tokens). Without either, the bot never offers an advisor.
 */
export function staffRouteConfigured(config: Pick<Config, 'STAFF_SLACK_CHANNEL' | 'SLACK_BOT_TOKEN' | 'SLACK_SIGNING_SECRET' | 'ADMIN_TOKENS'>): boolean {
  const slack = !!config.STAFF_SLACK_CHANNEL && !!config.SLACK_BOT_TOKEN && !!config.SLACK_SIGNING_SECRET;
  return slack || !!config.ADMIN_TOKENS;
}
