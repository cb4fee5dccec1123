/**
 * When an answer is owed. The clock starts when advisors are next in (a request on Friday
 * night is not late on Saturday), and runs ADVISOR_REPLY_HOURS from there. Pure.
 */
import { nextOpening } from './hours.ts';
import type { Handoff, HandoffSettings } from './types.ts';

export function dueAt(waitingSince: Date, settings: HandoffSettings): Date {
  const from = settings.hours ? nextOpening(settings.hours, waitingSince) : waitingSince;
  return new Date(from.getTime() + settings.replyHours * 3_600_000);
}

export function isOverdue(handoff: Pick<Handoff, 'status' | 'dueAt'>, now: Date): boolean {
  return handoff.status !== 'ended' && handoff.dueAt !== undefined && Date.parse(handoff.dueAt) <= now.getTime();
}
