/**
 * Locale keys of the advisor handoff (locales/<lang>/handoff.yaml), checked at startup like
 * every other key: missing in a language, or present but unlisted here, stops the boot.
 */
import { CHANNELS } from '../conversation/types.ts';
import { HANDOFF_STATUSES } from './types.ts';

const USER_KEYS = ['requested_open', 'requested_closed', 'day_range', 'hint', 'overdue', 'wait', 'back', 'waiting', 'ended_by_user', 'ended_by_staff', 'from_advisor'];

/** Short names of the diagnosis questions in the staff summary (a question without one shows its prompt). */
export const SUMMARY_QUESTIONS = ['offer_notified', 'contact_from', 'purpose', 'first_choice', 'other_status', 'meeting_date', 'meeting_mode'];

const STAFF_KEYS = [
  'title',
  'unknown_name',
  ...CHANNELS.map((c) => `channel.${c}`),
  ...HANDOFF_STATUSES.map((s) => `status.${s}`),
  'overdue',
  'blocked',
  'requested_at',
  'due',
  'diagnosis',
  'no_answers',
  'verdict',
  'no_verdict',
  'recent',
  'take',
  'end',
  'thread_hint',
  'user_said',
  'page_reply',
  'taken',
  'taken_over',
  'ended_by_staff',
  'ended_by_user',
  'ended_deleted',
  'overdue_note',
  'user_waits',
  ...['blocked', 'unreachable', 'failed', 'too_long', 'ended'].map((k) => `delivery.${k}`),
  ...SUMMARY_QUESTIONS.map((q) => `question.${q}`),
];

export const HANDOFF_LOCALE_KEYS: readonly string[] = [...USER_KEYS.map((k) => `handoff.user.${k}`), ...STAFF_KEYS.map((k) => `handoff.staff.${k}`)];
