/**
 * What the user is told when they ask for an advisor: within business hours that an
 * advisor answers here; outside them, when advisors are next in. Pure: keys and values.
 */
import { formatMeetingTime } from '../conversation/dates.ts';
import type { Locale } from '../conversation/types.ts';
import { describeHours, isOpen, nextOpening } from './hours.ts';
import type { HandoffSettings } from './types.ts';

export interface Notice {
  key: string;
  vars: Record<string, string | number>;
}

export function requestNotice(settings: HandoffSettings, now: Date, user: { locale: Locale; timeZone: string }, rangeMark: string): Notice {
  const replyHours = settings.replyHours;
  if (!settings.hours || isOpen(settings.hours, now)) return { key: 'handoff.user.requested_open', vars: { replyHours } };
  return {
    key: 'handoff.user.requested_closed',
    vars: {
      opens: formatMeetingTime(nextOpening(settings.hours, now), user.locale, user.timeZone),
      hours: describeHours(settings.hours, user.locale, rangeMark),
      replyHours,
    },
  };
}
