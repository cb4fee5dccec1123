/**
 * Locale keys the Slack channel uses by name. Startup validation (content-validation.ts)
 * fails when one is missing in a language, and when `locales/<lang>/slack.yaml` has a key
 * that is not listed here, so this list and the files cannot drift apart.
 */
import { REMINDER_KINDS } from '../../conversation/reminder-plan.ts';

export const SLACK_KEYS = [
  'slack.dm_pointer',
  'slack.open_dm',
  'slack.chosen',
  'slack.command.usage',
  'slack.command.answered_in_dm',
  'slack.home.title',
  'slack.home.intro',
  'slack.home.start',
  'slack.home.verdict_heading',
  'slack.home.no_verdict',
  'slack.home.meeting_heading',
  'slack.home.no_meeting',
  'slack.home.reminders_heading',
  'slack.home.no_reminders',
  'slack.home.reminder_item',
  'slack.home.advisor_heading',
  'slack.home.advisor_intro',
  'slack.home.advisor_button',
  'slack.home.tips_heading',
  'slack.home.tips_button',
  'slack.home.settings_heading',
  'slack.home.language',
  'slack.home.tips_on',
  'slack.home.tips_off',
  'slack.home.opt_out_button',
  'slack.home.opt_in_button',
  'slack.language_name.ja',
  'slack.language_name.en',
] as const;

/** Keys owned by other parts of the app that Slack surfaces also show by name. */
export const SLACK_SHARED_KEYS = REMINDER_KINDS.map((kind) => `reminder.kind.${kind}`);

export const SLACK_LOCALE_KEYS: readonly string[] = [...SLACK_KEYS, ...SLACK_SHARED_KEYS];
