/**
 * Whether a channel is the DM between the app and a person. A click names both the person
 * and the channel; only the person whose DM it is may act there, so a payload that pairs
 * one person with another's channel is refused (issue #15). The DM comes from
 * conversations.open for that person, asked once per person (SlackApi caches it).
 */
import type { Logger } from 'pino';
import { userTag } from '../../observability/logger.ts';
import type { SlackApi } from './api.ts';
import { describeError } from './errors.ts';
import { slackUser } from './users.ts';

export async function ownsChannel(api: Pick<SlackApi, 'openDm'>, logger: Logger, userId: string, channelId: string): Promise<boolean> {
  let dm: string;
  try {
    dm = await api.openDm(userId);
  } catch (error) {
    // No DM to be had (no such person, Slack unreachable): nothing can be answered for them.
    logger.info({ user: userTag(slackUser(userId)), error: describeError(error) }, 'slack action refused: the DM could not be confirmed');
    return false;
  }
  if (dm === channelId) return true;
  logger.info({ user: userTag(slackUser(userId)) }, 'slack action refused: the channel is not the DM of the person who acted');
  return false;
}
