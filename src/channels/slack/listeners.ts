/**
 * Bolt listeners: each parses what Slack sent, translates it (to-inbound.ts) and hands it
 * to the dialog, the App Home or a one-line pointer. They run on workers, for requests Slack
 * was answered for when they were stored (receiver.ts), and give the dialog the request's id
 * (`requestIdOf(context)`) so a request handled twice steps the conversation once.
 */
import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Content } from '../../conversation/content.ts';
import type { Store } from '../../store/types.ts';
import { ACTION_PREFIX } from './action-ids.ts';
import type { SlackApi } from './api.ts';
import type { SlackDialog } from './dialog.ts';
import { describeError } from './errors.ts';
import type { HomeTab } from './home-tab.ts';
import {
  eventEnvelopeSchema,
  homeOpenedEventSchema,
  mentionEventSchema,
  slashCommandSchema,
} from './payloads.ts';
import { mrkdwnLink, translator, type Translate } from './texts.ts';
import { ownsChannel } from './owner.ts';
import { requestIdOf } from './receiver.ts';
import { answeredQuestion } from './redraw.ts';
import { actionToInput, messageToInput, slashToRequest } from './to-inbound.ts';
import { slackUser, type SlackUsers } from './users.ts';

export const SLASH_COMMAND = '/mendan';

/** One answer per question message: a double click must not answer twice. */
const ANSWER_SCOPE = 'slack-answer';
/** Which press holds a question's claim, so that press handled again (a replay) goes on. */
const ANSWER_HOLDER_SCOPE = 'slack-answer-by';
const ANSWER_CLAIM_TTL_SECONDS = 86_400;

export interface ListenerDeps {
  dialog: SlackDialog;
  home: HomeTab;
  users: SlackUsers;
  api: SlackApi;
  store: Store;
  content: Content;
  logger: Logger;
  clock: () => Date;
  /** How far ahead a meeting may be (MEETING_MAX_DAYS_AHEAD), for redrawing date questions. */
  maxDaysAhead: number;
}

export function registerListeners(app: App, deps: ListenerDeps): void {
  const { dialog, home, users, api, store, content, logger, clock, maxDaysAhead } = deps;
  const commands = content.flow.commands;
  const texts = async (userId: string) => {
    const prefs = await users.preferences(userId);
    return { ...prefs, t: translator(content.catalog, prefs.locale) };
  };

  const turn = (context: Record<string, unknown>) => {
    const eventId = requestIdOf(context);
    return eventId !== undefined ? { eventId } : {};
  };

  app.message(async ({ event, context }) => {
    const message = messageToInput(event);
    if (message) await dialog.run(message.userId, message.input, { channelId: message.channelId, ...turn(context) });
  });

  app.event('app_mention', async ({ event, body }) => {
    const mention = mentionEventSchema.safeParse(event);
    if (!mention.success || !mention.data.user || mention.data.bot_id) return;
    const { t } = await texts(mention.data.user);
    const envelope = eventEnvelopeSchema.safeParse(body);
    const link = dmLink(t, envelope.success ? envelope.data : {});
    // Ephemeral: only the person who asked sees the pointer; the channel stays quiet.
    await api.postEphemeral(mention.data.channel, mention.data.user, t('slack.dm_pointer', { link }));
  });

  app.event('app_home_opened', async ({ event, context }) => {
    const opened = homeOpenedEventSchema.safeParse(event);
    if (!opened.success) return;
    if (opened.data.tab === 'messages') await dialog.run(opened.data.user, { kind: 'start' }, { onlyIfNew: true, ...turn(context) });
    else await home.publish(opened.data.user);
  });

  app.action({ action_id: new RegExp(`^${ACTION_PREFIX}`) }, async ({ ack, body, context }) => {
    await ack();
    const action = actionToInput(body, commands);
    if (!action) return;
    if (action.source === 'home') {
      await dialog.run(action.userId, action.input, turn(context));
      await home.publish(action.userId);
      return;
    }
    // Only the person whose DM it is may answer there; anything else is not theirs to press.
    if (!(await ownsChannel(api, logger, action.userId, action.channelId))) return;
    const claim = `${action.channelId}:${action.messageTs}`;
    const press = requestIdOf(context);
    if (!(await claimAnswer(store, claim, press))) return;
    try {
      // The session as it was when the question was asked, before this answer moves it on.
      const session = await store.sessions.get(slackUser(action.userId));
      const answered = session && answeredQuestion({ content, now: clock(), maxDaysAhead }, session.value, action.state, action.chosen);
      if (answered) {
        await api
          .updateMessage(action.channelId, action.messageTs, answered)
          // The answer counts even if the old message cannot be redrawn (deleted, too old).
          .catch((error: unknown) => logger.warn({ error: describeError(error) }, 'slack chat.update failed'));
      }
      await dialog.run(action.userId, action.input, { channelId: action.channelId, ...turn(context) });
    } catch (error) {
      await store.dedupe.release(ANSWER_SCOPE, claim);
      if (press !== undefined) await store.dedupe.release(ANSWER_HOLDER_SCOPE, `${claim}:${press}`);
      throw error;
    }
  });

  app.command(SLASH_COMMAND, async ({ ack, command, respond, context }) => {
    await ack();
    const parsed = slashCommandSchema.safeParse(command);
    if (!parsed.success) return;
    const { user_id: userId, channel_id: channelId } = parsed.data;
    const request = slashToRequest(parsed.data.text, commands);
    if (request.input) await dialog.run(userId, request.input, turn(context));
    // Texts after the turn, so `/mendan lang en` already answers in English.
    const { t } = await texts(userId);
    const notes: string[] = [];
    if (request.usage) notes.push(t('slack.command.usage'));
    // Replies went to the app's DM; say so where the command was typed so nobody waits there.
    if (request.input && channelId !== (await api.openDm(userId))) {
      notes.push(t('slack.command.answered_in_dm', { link: dmLink(t, { team_id: parsed.data.team_id, api_app_id: parsed.data.api_app_id }) }));
    }
    if (notes.length) await respond({ response_type: 'ephemeral', text: notes.join('\n\n') });
  });
}

/**
 * The first press of a question message claims it, and writes down which press it was; that
 * same press handled again (its worker died mid-way) finds itself the holder and goes on, so
 * the conversation can replay it. A worker dying between the two writes leaves the press
 * unanswered; any other press finds the claim taken.
 */
async function claimAnswer(store: Store, claim: string, press: string | undefined): Promise<boolean> {
  const { dedupe } = store;
  if (await dedupe.claim(ANSWER_SCOPE, claim, ANSWER_CLAIM_TTL_SECONDS)) {
    if (press !== undefined) await dedupe.confirm(ANSWER_HOLDER_SCOPE, `${claim}:${press}`, ANSWER_CLAIM_TTL_SECONDS);
    return true;
  }
  if (press === undefined) return false;
  // A claim that did not exist yet: not ours, so take it back.
  if (await dedupe.claim(ANSWER_HOLDER_SCOPE, `${claim}:${press}`, ANSWER_CLAIM_TTL_SECONDS)) {
    await dedupe.release(ANSWER_HOLDER_SCOPE, `${claim}:${press}`);
    return false;
  }
  return true;
}

/** A link that opens the app's DM; without the app id, just the words. */
function dmLink(t: Translate, ids: { team_id?: string | undefined; api_app_id?: string | undefined }): string {
  if (!ids.api_app_id) return t('slack.open_dm');
  const query = new URLSearchParams({ app: ids.api_app_id, ...(ids.team_id ? { team: ids.team_id } : {}) });
  return mrkdwnLink(`https://slack.com/app_redirect?${query}`, t('slack.open_dm'));
}
