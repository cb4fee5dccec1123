/**
 * The staff's Slack channel (STAFF_SLACK_CHANNEL) as the handoff sees it: each request is a
 * message there, redrawn as it changes, and its thread is the conversation.
 */
import type { StaffChannel, StaffView } from '../../handoff/ports.ts';
import type { Handoff } from '../../handoff/types.ts';
import type { SlackMessage } from './blocks.ts';
import { staffNote, staffRequestMessage } from './staff-blocks.ts';
import type { Translate } from './texts.ts';

/** The Web API calls the staff side makes (SlackApi provides them). */
export interface StaffSlackApi {
  postMessage(channel: string, message: SlackMessage, threadTs?: string): Promise<string | undefined>;
  updateMessage(channel: string, ts: string, message: SlackMessage): Promise<void>;
}

export function createStaffChannel(deps: { api: StaffSlackApi; channelId: string; t: Translate; when: (iso: string) => string }): StaffChannel {
  const { api, channelId, t, when } = deps;
  return {
    async postRequest(view: StaffView) {
      const ts = await api.postMessage(channelId, staffRequestMessage(view, t, when));
      if (!ts) throw new Error('chat.postMessage returned no ts');
      return { channel: channelId, ts };
    },
    async updateRequest(view: StaffView) {
      const { slackChannel, slackTs } = view.handoff;
      if (slackChannel && slackTs) await api.updateMessage(slackChannel, slackTs, staffRequestMessage(view, t, when));
    },
    async postInThread(handoff: Handoff, text: string) {
      if (handoff.slackChannel && handoff.slackTs) await api.postMessage(handoff.slackChannel, staffNote(text), handoff.slackTs);
    },
  };
}
