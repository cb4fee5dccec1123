/**
 * A click in a DM counts only from the person whose DM it is, and an answered question is
 * redrawn from our own data. Signed payloads against the fake Slack Web API, real Redis.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { slackHarness, type SlackHarness } from './support/slack-app.ts';
import { buttonPress, dmEvent, dmOf, eventBody, FORM, interactionBody, type Block } from './support/slack.ts';

const OWNER = 'U0OWNER';
const OTHER = 'U0OTHER';

let h: SlackHarness;
beforeEach(async () => {
  h = await slackHarness();
});
afterEach(async () => {
  await h.close();
});

const session = (id: string) => h.store.sessions.get({ channel: 'slack', id });
const click = (payload: Record<string, unknown>) => h.send(interactionBody(payload), { contentType: FORM });

/** The owner's first question, asked in their DM. */
async function ownerQuestion() {
  await h.send(eventBody(dmEvent(OWNER, 'こんにちは')));
  const question = h.fake.lastQuestion();
  expect(question.channel).toBe(dmOf(OWNER));
  return question;
}

describe('a click in a DM', () => {
  it('from someone else in the owner’s DM changes nothing and posts nothing', async () => {
    const question = await ownerQuestion();
    const before = await session(OWNER);
    h.fake.reset();

    // Signed and well formed, but the person who "clicked" is not the one whose DM it is.
    const response = await click(buttonPress(OTHER, question, 'no'));
    expect(response.statusCode).toBe(200);

    expect(h.fake.methods().filter((m) => m !== 'conversations.open')).toEqual([]);
    expect(await session(OWNER)).toEqual(before);
    expect(await session(OTHER)).toBeUndefined();
    // The owner can still answer that message: the refused click took no claim on it.
    await click(buttonPress(OWNER, question, 'no'));
    expect(h.fake.callsOf('chat.update')).toHaveLength(1);
    expect((await session(OWNER))?.value.state).not.toBe(before?.value.state);
  });

  it('from the owner, naming a channel that is not their DM, changes nothing and posts nothing', async () => {
    const question = await ownerQuestion();
    const before = await session(OWNER);
    h.fake.reset();

    const elsewhere = buttonPress(OWNER, { ...question, channel: 'C0GENERAL' }, 'no');
    await click(elsewhere);

    expect(h.fake.methods().filter((m) => m !== 'conversations.open')).toEqual([]);
    expect(await session(OWNER)).toEqual(before);
  });

  it('from a person Slack does not know is refused quietly', async () => {
    const question = await ownerQuestion();
    h.fake.reset();
    h.fake.failNext('conversations.open', { status: 200, body: { ok: false, error: 'user_not_found' } });
    await click(buttonPress('U0NOBODY', question, 'no'));
    expect(h.fake.methods()).toEqual(['conversations.open']);
  });

  it('from the owner is answered, and the message is redrawn from our data, not from the payload', async () => {
    const question = await ownerQuestion();
    h.fake.reset();

    // Slack's copy of the message and the button's label come with the click; tamper with both.
    const payload = buttonPress(OWNER, question, 'no');
    const message = payload.message as { blocks: Block[]; text: string };
    message.text = 'injected text';
    message.blocks = [{ type: 'section', text: { text: 'injected block' } }, ...message.blocks];
    const action = (payload.actions as { text?: { text: string } }[])[0]!;
    action.text = { text: 'injected label' };
    await click(payload);

    const update = h.fake.callsOf('chat.update');
    expect(update).toHaveLength(1);
    expect(update[0]!.args).toMatchObject({ channel: dmOf(OWNER), ts: question.ts, text: question.text });
    const drawn = JSON.stringify(update[0]!.args.blocks);
    expect(drawn).not.toContain('injected');
    expect(drawn).toContain(JSON.stringify(question.blocks![0]!.text!.text).slice(1, -1));
    const label = question.blocks!.flatMap((b) => b.elements ?? []).find((e) => e.value === 'no')!.text!.text;
    expect(drawn).toContain(`選択：${label}`);
    expect((update[0]!.args.blocks as Block[]).some((b) => b.type === 'actions')).toBe(false);
    // The conversation moved on in the owner's DM.
    expect(h.fake.posted.at(-1)?.channel).toBe(dmOf(OWNER));
    const state = /^mendan:q:\d+:(.+)$/.exec(question.blocks!.find((b) => b.type === 'actions')!.block_id!)![1]!;
    expect((await session(OWNER))?.value.answers).toMatchObject({ [state]: 'no' });
  });
});
