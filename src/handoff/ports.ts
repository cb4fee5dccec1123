/**
 * What the handoff needs from the rest of the app, as small interfaces: runtime.ts plugs in
 * the real store, channels, conversation service and audit log; nothing here names a
 * concrete platform.
 */
import type { PushResult } from '../channels/types.ts';
import type { Outbound, UserRef } from '../conversation/types.ts';
import type { Handoff, HandoffMessage } from './types.ts';

/** The staff's Slack channel (STAFF_SLACK_CHANNEL): one message per request, its thread the conversation. */
export interface StaffChannel {
  /** Posts the request; returns where, so replies in its thread can be matched. */
  postRequest(view: StaffView): Promise<{ channel: string; ts: string }>;
  /** Redraws the request (taken, overdue, ended, blocked). */
  updateRequest(view: StaffView): Promise<void>;
  /** A line in the request's thread: what the user said, a page reply, a note for staff. */
  postInThread(handoff: Handoff, text: string): Promise<void>;
}

/** Everything the staff see about one handoff. */
export interface StaffView {
  handoff: Handoff;
  blocked: boolean;
  overdue: boolean;
  messages: HandoffMessage[];
}

/** Pushes to the user on their own channel, once per retry key. */
export type PushToUser = (user: UserRef, messages: Outbound[], retryKey: string) => Promise<PushResult>;

/** A step of the conversation that the handoff starts (the staff ended it, no answer came in time). */
export type ConversationEvent = (user: UserRef, event: 'ended' | 'overdue') => Promise<Outbound[]>;

export interface AuditPort {
  record(entry: { staff: string; action: string; target: string; detail?: Record<string, unknown> }): Promise<void>;
}

/** Background work that must survive a crash: delivering a staff reply, the overdue check. */
export interface HandoffJobs {
  deliver(handoffId: string, messageId: string): Promise<void>;
  checkOverdue(handoffId: string, dueAt: string): Promise<void>;
  /** Posts the request to the staff channel later, after posting it at once failed. */
  postRequest(handoffId: string): Promise<void>;
}
