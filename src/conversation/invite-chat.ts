/**
 * A pasted invitation in the chat: read it (src/reading), show what was read as one card
 * with buttons to confirm or correct each part, then fill those answers, ask which of
 * several proposed times was chosen, point out a weekday that does not match its date,
 * plan a reply reminder before a reply deadline, and go on with only the questions the
 * mail leaves open. The session keeps the values read until they are confirmed, never the
 * text.
 */
import { DateTime } from 'luxon';
import { readInvitation, type Invitation } from '../reading/invitation.ts';
import { MAX_INVITATION_LENGTH } from '../reading/text.ts';
import { formatDay, parseMeetingTime } from './dates.ts';
import { setMeeting as recordMeeting } from './answers.ts';
import { INVITE_CONFIRM_STATE, INVITE_SLOT_STATE, INVITE_STATES, type PendingInvite } from './invite-state.ts';
import { goTo } from './navigation.ts';
import { walkAnswers } from './open-question.ts';
import { planReplyReminder } from './reminder-plan.ts';
import { dateOptions, raise, reminderSettings, say, setReminders, t, when, type Turn } from './turn.ts';
import type { Choice, Outbound } from './types.ts';

/** The questions the reader answers, in the order the card names them. */
const READ_QUESTIONS = ['contact_from', 'purpose', 'offer_notified', 'meeting_mode'] as const;
const DATE_FIELD = 'meeting_date';
const CONFIRM = 'confirm';
const FIX = 'fix:';
const SLOT = 'slot:';
const UNDECIDED = 'undecided';
/** An invitation with fewer parts read than this (and no time, no deadline) is talk about one, not one pasted. */
const MIN_PARTS = 2;
/** A text this long that is no invitation is a pasted mail of another kind (a rejection, a notice). */
const LONG_TEXT = 80;

export type Pasted = { kind: 'invitation'; invitation: Invitation } | { kind: 'notice' } | undefined;

/** Is this text a pasted invitation (or a pasted mail that is none)? Short answers are neither. Counted for the staff's insights. */
export function readPasted(turn: Turn, raw: string): Pasted {
  const pasted = readMail(turn, raw);
  if (pasted) raise(turn, { type: 'invitationRead', isInvite: pasted.kind === 'invitation' });
  return pasted;
}

function readMail(turn: Turn, raw: string): Pasted {
  if (raw.length > MAX_INVITATION_LENGTH) return undefined;
  const invitation = readInvitation(raw, { receivedAt: turn.ctx.now, timeZone: turn.s.timeZone, flow: turn.ctx.content.flow });
  if (!invitation.isInvite) return invitation.notice && raw.length >= LONG_TEXT ? { kind: 'notice' } : undefined;
  const parts = [
    invitation.contactFrom,
    invitation.purpose === 'none' ? null : invitation.purpose,
    invitation.meetingMode,
    invitation.offerNotified === 'no' ? null : invitation.offerNotified,
  ].filter((v) => v !== null).length;
  const pasted = invitation.slots.length > 0 || invitation.replyDeadline !== null || parts >= MIN_PARTS;
  return pasted ? { kind: 'invitation', invitation } : undefined;
}

/** Keeps what was read (values only) and shows the card. */
export function offerInvitation(turn: Turn, invitation: Invitation): void {
  const { flow } = turn.ctx.content;
  const read: Record<string, string | null> = {
    contact_from: invitation.contactFrom,
    purpose: invitation.purpose,
    offer_notified: invitation.offerNotified,
    meeting_mode: invitation.meetingMode,
  };
  const pending: PendingInvite = { answers: {}, slots: [], mismatched: [] };
  for (const question of READ_QUESTIONS) {
    const value = read[question];
    const state = flow.states[question];
    if (value && state && state.type !== 'result' && state.choices.some((c) => c.value === value)) pending.answers[question] = value;
  }
  for (const slot of invitation.slots) {
    if (slot.at.toMillis() <= turn.ctx.now.getTime()) continue;
    (slot.weekdayMismatch ? pending.mismatched : pending.slots).push(slot.at.toUTC().toISO() ?? '');
  }
  const d = invitation.replyDeadline;
  if (d) pending.replyBy = `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
  turn.s.invite = pending;
  if (!turn.s.state.startsWith('@')) turn.s.returnTo = turn.s.state;
  turn.s.state = INVITE_CONFIRM_STATE;
  turn.messages.push(inviteQuestion(turn, INVITE_CONFIRM_STATE));
}

function label(turn: Turn, question: string, value: string): string {
  const state = turn.ctx.content.flow.states[question];
  const choice = state && state.type !== 'result' ? state.choices.find((c) => c.value === value) : undefined;
  return choice ? t(turn, choice.label) : value;
}

/** "人事・採用担当から・目的：入社意思・志望度の確認・12月11日(金) 16:00・オンライン". */
function summary(turn: Turn, p: PendingInvite): string {
  const parts: string[] = [];
  const a = p.answers;
  if (a.contact_from) parts.push(t(turn, 'reading.invite.card.contact', { label: label(turn, 'contact_from', a.contact_from) }));
  if (a.purpose) parts.push(t(turn, 'reading.invite.card.purpose', { label: label(turn, 'purpose', a.purpose) }));
  if (a.offer_notified) parts.push(t(turn, `reading.invite.card.offer.${a.offer_notified}`));
  if (p.slots.length === 1) parts.push(when(turn, p.slots[0]!));
  else if (p.slots.length > 1) parts.push(t(turn, 'reading.invite.card.slots', { count: p.slots.length }));
  if (p.mismatched.length > 0) parts.push(t(turn, 'reading.invite.card.weekday_check'));
  if (a.meeting_mode) parts.push(label(turn, 'meeting_mode', a.meeting_mode));
  if (p.replyBy) parts.push(t(turn, 'reading.invite.card.reply_by', { date: formatDay(p.replyBy, turn.s.locale) }));
  if (parts.length === 0) return t(turn, 'reading.invite.card.nothing');
  return t(turn, 'reading.invite.card.ask', { summary: parts.join(t(turn, 'reading.invite.card.separator')) });
}

export function inviteChoices(turn: Turn, state: string): Choice[] {
  const p = turn.s.invite;
  if (!p) return [];
  if (state === INVITE_SLOT_STATE) {
    return [
      ...p.slots.map((iso, i) => ({ value: `${SLOT}${i}`, label: when(turn, iso) })),
      { value: UNDECIDED, label: t(turn, 'reading.invite.undecided') },
    ];
  }
  const fixable = [...READ_QUESTIONS.filter((q) => p.answers[q] !== undefined), ...(p.slots.length + p.mismatched.length > 0 ? [DATE_FIELD] : [])];
  return [
    { value: CONFIRM, label: t(turn, 'reading.invite.confirm') },
    ...fixable.map((q) => ({ value: `${FIX}${q}`, label: t(turn, `reading.invite.fix.${q}`) })),
  ];
}

export function inviteQuestion(turn: Turn, state: string): Outbound {
  const p = turn.s.invite;
  const text = state === INVITE_SLOT_STATE ? t(turn, 'reading.invite.which_slot') : p ? summary(turn, p) : t(turn, 'reading.invite.card.nothing');
  return { kind: 'choices', text, choices: inviteChoices(turn, state), state };
}

/** A typed answer at the slot question: a date equal to one of the proposed times picks it. */
export function typedSlot(turn: Turn, raw: string): string | undefined {
  const p = turn.s.invite;
  if (turn.s.state !== INVITE_SLOT_STATE || !p) return undefined;
  const parsed = parseMeetingTime(raw, dateOptions(turn));
  if (!parsed.ok) return undefined;
  const index = p.slots.findIndex((iso) => new Date(iso).getTime() === parsed.at.getTime());
  return index >= 0 ? `${SLOT}${index}` : undefined;
}

export function chooseInvite(turn: Turn, value: string): void {
  const p = turn.s.invite;
  if (!p) return finish(turn);
  if (turn.s.state === INVITE_SLOT_STATE) {
    const slot = value.startsWith(SLOT) ? p.slots[Number(value.slice(SLOT.length))] : undefined;
    if (slot) setMeeting(turn, slot);
    else answerNotDecided(turn);
    return finish(turn);
  }
  if (value.startsWith(FIX)) {
    const question = value.slice(FIX.length);
    if (question === DATE_FIELD) {
      p.slots = [];
      p.mismatched = [];
    } else {
      delete p.answers[question];
    }
    say(turn, 'reading.invite.fixed');
    if (Object.keys(p.answers).length + p.slots.length + p.mismatched.length > 0 || p.replyBy) {
      return void turn.messages.push(inviteQuestion(turn, INVITE_CONFIRM_STATE));
    }
  }
  apply(turn, p);
}

/** The card is confirmed: take its answers and go on with what is still open. */
function apply(turn: Turn, p: PendingInvite): void {
  Object.assign(turn.s.answers, p.answers);
  if (p.mismatched.length > 0) say(turn, 'reading.invite.weekday_mismatch', { when: p.mismatched.map((iso) => when(turn, iso)).join(', ') });
  if (p.slots.length === 1) setMeeting(turn, p.slots[0]!);
  if (p.replyBy) planReplyBefore(turn, p.replyBy);
  if (p.slots.length > 1) {
    // Only the times are still needed to ask which one was chosen.
    turn.s.invite = { answers: {}, slots: p.slots, mismatched: [] };
    turn.s.state = INVITE_SLOT_STATE;
    return void turn.messages.push(inviteQuestion(turn, INVITE_SLOT_STATE));
  }
  finish(turn);
}

function setMeeting(turn: Turn, iso: string): void {
  recordMeeting(turn, new Date(iso));
  turn.s.answers[DATE_FIELD] = iso;
}

function answerNotDecided(turn: Turn): void {
  const state = turn.ctx.content.flow.states[DATE_FIELD];
  if (state?.type === 'datetime' && state.choices.some((c) => c.value === 'not_yet')) turn.s.answers[DATE_FIELD] = 'not_yet';
}

/** A reply reminder a few hours from now, if that is still before the end of the deadline day. */
function planReplyBefore(turn: Turn, replyBy: string): void {
  const reminder = planReplyReminder(turn.ctx.now, turn.s.timeZone, reminderSettings(turn));
  const deadlineEnd = DateTime.fromISO(replyBy, { zone: turn.s.timeZone }).endOf('day');
  if (!deadlineEnd.isValid || new Date(reminder.at).getTime() > deadlineEnd.toMillis()) return;
  setReminders(turn, [...(turn.s.reminders ?? []).filter((r) => r.kind !== 'reply'), reminder]);
}

/** Drops what was read, and asks the first question the answers leave open (or shows the result). */
function finish(turn: Turn): void {
  const { flow } = turn.ctx.content;
  delete turn.s.invite;
  delete turn.s.returnTo;
  delete turn.s.verdict;
  const walk = walkAnswers(flow, turn.s.answers);
  for (const id of walk.skipped) delete turn.s.answers[id];
  turn.s.history = walk.path;
  goTo(turn, walk.resumeAt);
}

export function isInviteState(state: string): boolean {
  return INVITE_STATES.includes(state);
}
