/** Deterministic ids: the same reminder always maps to the same job and the same push retry key. */
import { createHash } from 'node:crypto';
import type { PlannedReminder } from '../conversation/reminder-plan.ts';
import type { UserRef } from '../conversation/types.ts';

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** BullMQ job ids may not contain ':'; the user id is hashed so it does not show in Redis key names. */
export function reminderJobId(user: UserRef, reminder: PlannedReminder): string {
  return `rem-${digest(`${user.channel}:${user.id}`).slice(0, 20)}-${reminder.kind}-${Date.parse(reminder.at)}`;
}

/** A UUID derived from a name (LINE's X-Line-Retry-Key must be a UUID). */
export function uuidFromName(name: string): string {
  const hex = digest(name).slice(0, 32).split('');
  hex[12] = '5';
  hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
