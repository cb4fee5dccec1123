/**
 * A Slack request handled twice from the inbox (the worker died before acknowledging the entry,
 * and another took it over): the conversation steps once and the person sees one answer. Each
 * entry here is consumed twice in a row, on real Redis and Bolt against the fake Web API.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { InboxEntry, InboxHandler } from '../src/inbox/types.ts';
import { slackHarness, type SlackHarness } from './support/slack-app.ts';
import { buttonPress, commandBody, dmEvent, dmOf, eventBody, FORM, interactionBody, SLACK_HOST } from './support/slack.ts';

const U = 'U0REPLAY';
const user = { channel: 'slack' as const, id: U };

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Every entry consumed twice; `between` runs after the first time (a failure to simulate, a count to take). */
function twice(between: (entry: InboxEntry) => void = () => undefined) {
  return (consume: InboxHandler): InboxHandler =>
    async (entry) => {
      await consume(entry);
      between(entry);
      await consume(entry);
    };
}

const posted = (harness: SlackHarness) => harness.fake.posted.map((m) => m.text);

describe('a Slack request handled twice', () => {
  it('a DM: stepped once, its answer posted once', async () => {
    let afterFirst: string[] = [];
    h = await slackHarness({ wrapConsume: twice(() => (afterFirst = posted(h!))) });
    await h.send(eventBody(dmEvent(U, 'こんにちは')));
    expect(afterFirst.length).toBeGreaterThan(0);
    expect(posted(h)).toEqual(afterFirst);
    expect((await h.store.sessions.get(user))?.version).toBe(1);
  });

  it('an answer Slack never took the first time is posted by the replay, once', async () => {
    h = await slackHarness({ wrapConsume: twice() });
    h.fake.failNext('chat.postMessage', { status: 200, body: { ok: false, error: 'internal_error' } });
    await h.send(eventBody(dmEvent(U, 'こんにちは')));
    const attempts = h.fake.callsOf('chat.postMessage').length;
    // The first try of the first message failed; the replay posted the answer whole, once.
    expect(posted(h).length).toBe(attempts - 1);
    expect(new Set(posted(h)).size).toBe(posted(h).length);
    expect((await h.store.sessions.get(user))?.version).toBe(1);
  });

  it('opening the Messages tab: a greeting the first try could not post is posted by the replay; opening it again says nothing', async () => {
    h = await slackHarness({ wrapConsume: twice() });
    const opened = { type: 'app_home_opened', user: U, channel: dmOf(U), tab: 'messages' };
    h.fake.failNext('chat.postMessage', { status: 200, body: { ok: false, error: 'internal_error' } });
    await h.send(eventBody(opened));
    expect(posted(h).length).toBeGreaterThan(0);
    expect((await h.store.sessions.get(user))?.version).toBe(1);
    const greeting = posted(h);
    await h.send(eventBody(opened));
    expect(posted(h)).toEqual(greeting);
    expect((await h.store.sessions.get(user))?.version).toBe(1);
  });

  it('a button press: answered once (the next question once; a redraw repeated is the same redraw), not refused as a repeat', async () => {
    h = await slackHarness({ wrapConsume: twice() });
    await h.send(eventBody(dmEvent(U, 'こんにちは')));
    const asked = h.fake.lastQuestion();
    h.fake.reset();
    await h.send(interactionBody(buttonPress(U, asked, 'no')), { contentType: FORM });
    const redraws = h.fake.callsOf('chat.update').map((call) => JSON.stringify(call.args));
    expect(redraws.length).toBeGreaterThan(0);
    expect(new Set(redraws).size).toBe(1);
    const next = h.fake.lastQuestion();
    expect(next.text).not.toBe(asked.text);
    expect(posted(h).filter((text) => text === next.text)).toHaveLength(1);
    const session = await h.store.sessions.get(user);
    expect(session?.version).toBe(2);
    expect(session?.value.answers).toEqual({ offer_notified: 'no' });
  });

  it('another press of an answered question is still ignored', async () => {
    h = await slackHarness();
    await h.send(eventBody(dmEvent(U, 'こんにちは')));
    const asked = h.fake.lastQuestion();
    await h.send(interactionBody(buttonPress(U, asked, 'no')), { contentType: FORM });
    const before = posted(h).length;
    await h.send(interactionBody({ ...buttonPress(U, asked, 'yes'), trigger_id: 'another' }), { contentType: FORM });
    expect(posted(h).length).toBe(before);
    expect((await h.store.sessions.get(user))?.value.answers).toEqual({ offer_notified: 'no' });
  });

  it('a slash command: stepped once, its answer posted once', async () => {
    let afterFirst: string[] = [];
    h = await slackHarness({ wrapConsume: twice(() => (afterFirst = posted(h!))) });
    await h.send(commandBody(U, '', 'C0GENERAL', `${SLACK_HOST}/respond/command`), { contentType: FORM });
    expect(afterFirst.length).toBeGreaterThan(0);
    expect(posted(h)).toEqual(afterFirst);
    expect((await h.store.sessions.get(user))?.version).toBe(1);
  });
});
