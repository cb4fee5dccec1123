/**
 * Broadcast chunks on Slack: one DM per user, through the sender, which claims each message
 * before posting, so a chunk sent again skips the users it already reached.
 */
import { RetryLater, type BroadcastReport, type ChannelBroadcaster, type ChannelPreview, type ChannelSender } from '../types.ts';
import { renderMessage } from './blocks.ts';

export function slackBroadcaster(sender: ChannelSender): ChannelBroadcaster {
  return {
    channel: 'slack',
    chunkSize: 1,
    concurrency: (perSecond) => Math.min(16, perSecond + 1),
    async send({ broadcastId, ids, message, lastAttempt }) {
      const report: BroadcastReport = { sent: 0, failed: 0, skipped: 0 };
      for (const id of ids) {
        const result = await sender.push({ channel: 'slack', id }, [message], { retryKey: `broadcast:${broadcastId}:${id}` });
        if (result.ok) report.sent++;
        else if (result.reason !== 'failed') report.skipped!++;
        else if (!lastAttempt) throw new RetryLater(`Slack DM: ${result.detail ?? 'failed'}`);
        else {
          report.failed++;
          report.problem = result.detail ?? 'failed';
        }
      }
      return report;
    },
  };
}

/** The Block Kit message a broadcast becomes, as the staff page shows it. */
export const slackPreview: ChannelPreview = (message) => renderMessage(message);
