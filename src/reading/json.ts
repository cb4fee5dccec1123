/** The reader's answer as the JSON object `npm run read-invite` prints (snake_case, ISO dates). */
import type { Invitation } from './invitation.ts';

export interface InvitationJson {
  is_invite: boolean;
  offer_notified: string | null;
  contact_from: string | null;
  purpose: string | null;
  meeting_mode: string | null;
  /** Start times, ISO 8601 with the offset of the user's zone. */
  slots: string[];
  /** Slots whose written weekday disagrees with the date. */
  weekday_mismatch: string[];
  reply_deadline: string | null;
  verdict: string | null;
}

export function invitationToJson(inv: Invitation): InvitationJson {
  const iso = (s: Invitation['slots'][number]) => s.at.toISO({ suppressMilliseconds: true }) ?? '';
  const d = inv.replyDeadline;
  return {
    is_invite: inv.isInvite,
    offer_notified: inv.offerNotified,
    contact_from: inv.contactFrom,
    purpose: inv.purpose,
    meeting_mode: inv.meetingMode,
    slots: inv.slots.map(iso),
    weekday_mismatch: inv.slots.filter((s) => s.weekdayMismatch).map(iso),
    reply_deadline: d ? `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}` : null,
    verdict: inv.verdict,
  };
}
