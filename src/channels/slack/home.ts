/**
 * The App Home tab: the person's last result, their next meeting and reminders, the tip
 * topics, and their settings. Pure: everything it shows is passed in.
 */
import type { types } from '@slack/bolt';
import { formatMeetingTime } from '../../conversation/dates.ts';
import type { PlannedReminder } from '../../conversation/reminder-plan.ts';
import type { Locale, Verdict } from '../../conversation/types.ts';
import { HOME_START_ACTION, homeCommandActionId, type HomeCommand } from './action-ids.ts';
import { clip } from './blocks.ts';
import { escapeMrkdwn, type Translate } from './texts.ts';

export interface HomeState {
  locale: Locale;
  timeZone: string;
  verdict?: Verdict;
  /** ISO instant of the meeting, when known. */
  meetingAt?: string;
  optedOut: boolean;
  reminders: PlannedReminder[];
  tipIds: string[];
  now: Date;
  /** Someone answers advisor requests (a staff route is configured): offer one. */
  advisor?: boolean;
}

const MAX_TEXT = 3000;

export function homeView(state: HomeState, t: Translate): types.HomeView {
  const when = (iso: string) => formatMeetingTime(new Date(iso), state.locale, state.timeZone);
  const future = (iso: string | undefined): iso is string => !!iso && Date.parse(iso) > state.now.getTime();
  const upcoming = state.reminders.filter((r) => future(r.at)).sort((a, b) => Date.parse(a.at) - Date.parse(b.at));

  return {
    type: 'home',
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: clip(t('slack.home.title'), 150), emoji: true } },
      {
        type: 'section',
        text: mrkdwn(escapeMrkdwn(t('slack.home.intro'))),
        accessory: button(HOME_START_ACTION, t('slack.home.start'), 'primary'),
      },
      { type: 'divider' },
      headed(t('slack.home.verdict_heading'), state.verdict ? t(`verdict.${state.verdict}.title`) : t('slack.home.no_verdict')),
      headed(t('slack.home.meeting_heading'), future(state.meetingAt) ? when(state.meetingAt) : t('slack.home.no_meeting')),
      headed(
        t('slack.home.reminders_heading'),
        upcoming.length
          ? upcoming.map((r) => t('slack.home.reminder_item', { when: when(r.at), what: t(`reminder.kind.${r.kind}`) })).join('\n')
          : t('slack.home.no_reminders'),
      ),
      { type: 'divider' },
      ...(state.advisor
        ? [{ ...headed(t('slack.home.advisor_heading'), t('slack.home.advisor_intro')), accessory: button(homeCommandActionId('advisor'), t('slack.home.advisor_button')) }, { type: 'divider' as const }]
        : []),
      {
        ...headed(t('slack.home.tips_heading'), state.tipIds.map((id) => `• ${t(`tips.${id}.title`)}`).join('\n')),
        accessory: button(homeCommandActionId('showTips'), t('slack.home.tips_button')),
      },
      { type: 'divider' },
      headed(
        t('slack.home.settings_heading'),
        [
          t('slack.home.language', { language: t(`slack.language_name.${state.locale}`) }),
          state.optedOut ? t('slack.home.tips_off') : t('slack.home.tips_on'),
        ].join('\n'),
      ),
      {
        type: 'actions',
        elements: [
          languageButton('ja', state.locale, t),
          languageButton('en', state.locale, t),
          state.optedOut
            ? button(homeCommandActionId('optIn'), t('slack.home.opt_in_button'))
            : button(homeCommandActionId('optOut'), t('slack.home.opt_out_button')),
        ],
      },
    ],
  };
}

function mrkdwn(text: string): types.MrkdwnElement {
  return { type: 'mrkdwn', text: clip(text, MAX_TEXT) };
}

function headed(heading: string, body: string): types.SectionBlock {
  return { type: 'section', text: mrkdwn(`*${escapeMrkdwn(heading)}*\n${escapeMrkdwn(body)}`) };
}

function button(actionId: string, label: string, style?: 'primary'): types.Button {
  return {
    type: 'button',
    action_id: actionId,
    text: { type: 'plain_text', text: clip(label, 75), emoji: true },
    ...(style ? { style } : {}),
  };
}

function languageButton(locale: Locale, current: Locale, t: Translate): types.Button {
  const command: HomeCommand = `language:${locale}`;
  return { ...button(homeCommandActionId(command), t(`slack.language_name.${locale}`)), ...(locale === current ? { style: 'primary' } : {}) };
}
