/** Deterministic ids: the same reminder always maps to the same job, and so to the same push retry key. */
import { createHash } from 'node:crypto';
import type { PlannedReminder } from '../../conversation/reminder-plan.ts';
import type { UserRef } from '../../conversation/types.ts';

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** BullMQ job ids may not contain ':'; the user id is hashed so it does not show in Redis key names. */
export function reminderJobId(user: UserRef, reminder: PlannedReminder): string {
  return `rem-${digest(`${user.channel}:${user.id}`).slice(0, 20)}-${reminder.kind}-${Date.parse(reminder.at)}`;
}

/** The batch of reminders due at `due` (epoch ms) whose words hash to `group`. */
export function reminderBatchJobId(due: number, group: string): string {
  return `remb-${due}-${group}`;
}

/** Reminders with the same group render to the same requests: one channel, language, zone and words. */
export function wordsGroup(channel: string, locale: string, timeZone: string, messages: unknown[]): string {
  return digest(JSON.stringify([channel, locale, timeZone, messages])).slice(0, 32);
}
