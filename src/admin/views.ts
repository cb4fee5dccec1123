/** Broadcast records as the staff API shows them. Pure. */
import { headline } from '../jobs/broadcast/content.ts';
import { progress, type BroadcastRecord } from '../store/broadcast-record.ts';
import type { BroadcastView } from './schemas.ts';

export function broadcastView(record: BroadcastRecord): BroadcastView {
  return {
    id: record.id,
    status: record.status,
    staff: record.staff,
    createdAt: record.createdAt,
    sendAt: record.sendAt,
    tipId: record.tipId ?? null,
    headline: headline(record.messages),
    filter: record.filter,
    total: record.total ?? null,
    sent: record.sent,
    failed: record.failed,
    skipped: record.skipped,
    progress: progress(record),
    audience: record.audience ?? null,
    frozenAt: record.frozenAt ?? null,
    finishedAt: record.finishedAt ?? null,
    cancelledAt: record.cancelledAt ?? null,
    cancelledBy: record.cancelledBy ?? null,
  };
}
