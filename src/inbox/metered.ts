/** The inbox's writer with duplicates counted (a redelivery of an accepted event is one). */
import type { Metrics } from '../observability/metrics.ts';
import type { InboxWriter } from './types.ts';

export function meteredInbox(inbox: InboxWriter, metrics: Pick<Metrics, 'duplicatesDropped'>): InboxWriter {
  return {
    append: async (entries) => {
      const outcome = await inbox.append(entries);
      if (outcome.status === 'accepted' && outcome.duplicates && entries[0]) {
        metrics.duplicatesDropped.inc({ channel: entries[0].channel }, outcome.duplicates);
      }
      return outcome;
    },
  };
}
