/**
 * Reads a pasted or forwarded invitation (a business mail or a chat-style summary, ja or
 * en) into the answers the diagnosis asks for. Pure and linear in the length of the text:
 * one tokenising pass for dates, indexOf scans for words. Nothing of the text is kept in
 * the result.
 */
import { DateTime } from 'luxon';
import type { Flow } from '../conversation/flow-schema.ts';
import type { Verdict } from '../conversation/types.ts';
import type { Day } from './calendar.ts';
import { readContact, readIsInvite, readIsNotice, readMode, readOffer, readPurpose } from './fields.ts';
import type { Contact, Purpose } from './lexicon.ts';
import { readSchedule, type Slot } from './slots.ts';
import { prepare } from './text.ts';
import { verdictFor } from './verdict.ts';

export interface Invitation {
  isInvite: boolean;
  /** Not an invitation but a rejection, a results notice or a mass mail. */
  notice: boolean;
  offerNotified: 'yes' | 'no' | 'unsure' | null;
  contactFrom: Contact | null;
  purpose: Purpose | 'none' | null;
  meetingMode: 'online' | 'in_person' | null;
  slots: Slot[];
  replyDeadline: Day | null;
  verdict: Verdict | null;
}

export interface ReadOptions {
  /** When the text was received: dates without a year and "明日" are read from it. */
  receivedAt: Date;
  timeZone: string;
  flow: Flow;
}

export function readInvitation(raw: string, opts: ReadOptions): Invitation {
  const prepared = prepare(raw);
  const received = DateTime.fromJSDate(opts.receivedAt, { zone: opts.timeZone });
  const schedule = readSchedule(prepared.text, received.isValid ? received : DateTime.fromJSDate(opts.receivedAt, { zone: 'utc' }));
  const isInvite = readIsInvite(prepared, schedule.slots.length > 0);
  if (!isInvite) {
    return { isInvite, notice: readIsNotice(prepared), offerNotified: null, contactFrom: null, purpose: null, meetingMode: null, slots: [], replyDeadline: null, verdict: null };
  }
  const fields = {
    offerNotified: readOffer(prepared),
    contactFrom: readContact(prepared),
    purpose: readPurpose(prepared),
    meetingMode: readMode(prepared),
  };
  const verdict = verdictFor(opts.flow, {
    offer_notified: fields.offerNotified,
    contact_from: fields.contactFrom,
    purpose: fields.purpose,
    meeting_mode: fields.meetingMode,
  });
  return { isInvite, notice: false, ...fields, slots: schedule.slots, replyDeadline: schedule.replyDeadline, verdict };
}
