/**
 * The advisor request as the staff see it in their Slack channel: who, the status (taken by
 * whom, overdue, blocked), the diagnosis so far, what the user typed before asking, and the
 * take / back-to-the-bot buttons. Pure: texts arrive through `t`, in the staff's language.
 */
import type { types } from '@slack/bolt';
import type { StaffView } from '../../handoff/ports.ts';
import type { SlackMessage } from './blocks.ts';
import { clip } from './blocks.ts';
import { escapeMrkdwn, type Translate } from './texts.ts';

/** Not under `mendan:`, so the conversation's own action listener never sees these. */
export const STAFF_ACTION_PREFIX = 'mendan-staff:';
export const STAFF_TAKE_ACTION = `${STAFF_ACTION_PREFIX}take`;
export const STAFF_END_ACTION = `${STAFF_ACTION_PREFIX}end`;

const MAX_SECTION_TEXT = 3000;
const MAX_HEADER_TEXT = 150;

export function staffRequestMessage(view: StaffView, t: Translate, when: (iso: string) => string): SlackMessage {
  const { handoff } = view;
  const name = handoff.displayName ?? t('handoff.staff.unknown_name');
  const title = t('handoff.staff.title', { name, channel: t(`handoff.staff.channel.${handoff.user.channel}`) });
  const status = [
    handoff.status === 'taken' ? t('handoff.staff.status.taken', { staff: handoff.takenBy ?? '' }) : t(`handoff.staff.status.${handoff.status}`),
    ...(view.overdue && handoff.dueAt ? [`⚠️ ${t('handoff.staff.overdue', { due: when(handoff.dueAt) })}`] : []),
    ...(view.blocked ? [`⛔ ${t('handoff.staff.blocked')}`] : []),
    t('handoff.staff.requested_at', { at: when(handoff.createdAt) }),
    ...(handoff.dueAt && !view.overdue && handoff.status !== 'ended' ? [t('handoff.staff.due', { due: when(handoff.dueAt) })] : []),
  ];
  const { summary } = handoff;
  const diagnosis = [
    ...(summary.answers.length ? summary.answers.map((a) => `• ${escapeMrkdwn(a.question)}: ${escapeMrkdwn(a.answer)}`) : [escapeMrkdwn(t('handoff.staff.no_answers'))]),
    escapeMrkdwn(summary.verdict ? t('handoff.staff.verdict', { verdict: summary.verdict }) : t('handoff.staff.no_verdict')),
  ];
  const blocks: types.KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(title, MAX_HEADER_TEXT), emoji: true } },
    context(status.map(escapeMrkdwn).join('  ·  ')),
    section(`*${escapeMrkdwn(t('handoff.staff.diagnosis'))}*\n${diagnosis.join('\n')}`),
  ];
  if (summary.recent.length) {
    blocks.push(section(`*${escapeMrkdwn(t('handoff.staff.recent'))}*\n${summary.recent.map((line) => `> ${escapeMrkdwn(line)}`).join('\n')}`));
  }
  if (handoff.status !== 'ended') {
    blocks.push({
      type: 'actions',
      block_id: `mendan-staff:${handoff.id}`,
      elements: [
        { type: 'button', action_id: STAFF_TAKE_ACTION, value: handoff.id, style: 'primary', text: { type: 'plain_text', text: t('handoff.staff.take'), emoji: true } },
        { type: 'button', action_id: STAFF_END_ACTION, value: handoff.id, text: { type: 'plain_text', text: t('handoff.staff.end'), emoji: true } },
      ],
    });
    blocks.push(context(escapeMrkdwn(t('handoff.staff.thread_hint'))));
  }
  return { text: clip(escapeMrkdwn(`${title} — ${status.join(' · ')}`), 4000), blocks };
}

/** A line in the request's thread, as plain text (never read as mrkdwn markup). */
export function staffNote(text: string): SlackMessage {
  return { text: clip(escapeMrkdwn(text), 4000) };
}

function section(mrkdwn: string): types.SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: clip(mrkdwn, MAX_SECTION_TEXT) } };
}

function context(mrkdwn: string): types.ContextBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: clip(mrkdwn, MAX_SECTION_TEXT) }] };
}
