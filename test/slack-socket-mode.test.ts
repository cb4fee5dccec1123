/**
 * Slack Socket Mode through the inbox, against a local fake Socket Mode server (never Slack):
 * an envelope is acknowledged only once it is stored, workers answer it as they answer HTTP
 * requests, Slack's retry of an event is handled once, and a full inbox leaves the envelope
 * unacknowledged so Slack's retry is stored once there is room.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AppendOutcome } from '../src/inbox/types.ts';
import { FakeSocketMode } from './support/fake-slack-socket.ts';
import { slackHarness, type SlackHarness, type SlackHarnessOptions } from './support/slack-app.ts';
import { buttonPress, dmEvent, dmOf, SLACK_API_URL, TEAM_ID, APP_ID } from './support/slack.ts';

const U = 'U0SOCKET';
const user = { channel: 'slack' as const, id: U };

let h: SlackHarness | undefined;
let socket: FakeSocketMode | undefined;
afterEach(async () => {
  await h?.close();
  await socket?.stop();
  h = undefined;
  socket = undefined;
});

async function socketHarness(options: SlackHarnessOptions = {}): Promise<{ h: SlackHarness; socket: FakeSocketMode }> {
  socket = new FakeSocketMode(SLACK_API_URL);
  await socket.start();
  h = await slackHarness({ ...options, env: { SLACK_APP_TOKEN: 'xapp-test', SLACK_API_URL: socket.apiUrl, ...options.env } });
  await h.slack.start();
  return { h, socket };
}

let events = 0;
function eventPayload(event: Record<string, unknown>, eventId = `EvSock${++events}x${Date.now()}`): Record<string, unknown> {
  return { token: 'legacy', team_id: TEAM_ID, api_app_id: APP_ID, type: 'event_callback', event_id: eventId, event_time: 1_764_118_800, event };
}

const acked = (fake: FakeSocketMode, id: string) => vi.waitUntil(() => fake.acked(id) > 0, { timeout: 10_000, interval: 5 });
const handled = async (harness: SlackHarness) => {
  await harness.worker.settled();
  await harness.slack.idle();
};

describe('Slack Socket Mode through the inbox', () => {
  it('acknowledges an envelope once it is stored; a worker answers it', async () => {
    const { h, socket } = await socketHarness({ worker: false });
    expect(h.slack.mode).toBe('socket');
    expect(socket.connectionsOpened).toBe(1);
    const id = socket.deliver('events_api', eventPayload(dmEvent(U, 'こんにちは')));
    await acked(socket, id);
    // Stored, not yet handled: nothing runs in the process that holds the socket.
    expect(await h.inbox.depth()).toBe(1);
    expect(h.fake.posted).toEqual([]);

    await h.startWorker();
    await handled(h);
    expect(h.fake.posted.length).toBeGreaterThan(0);
    expect(h.fake.posted[0]!.channel).toBe(dmOf(U));
    expect((await h.store.sessions.get(user))?.version).toBe(1);
  });

  it("handles Slack's retry of an event once, and acknowledges both deliveries", async () => {
    const { h, socket } = await socketHarness();
    const payload = eventPayload(dmEvent(U, 'こんにちは'));
    const first = socket.deliver('events_api', payload);
    await acked(socket, first);
    const retry = socket.deliver('events_api', payload, { retryAttempt: 1 });
    await acked(socket, retry);
    await handled(h);
    const answer = h.fake.posted.map((m) => m.text);
    expect(answer.length).toBeGreaterThan(0);
    expect(new Set(answer).size).toBe(answer.length);
    expect((await h.store.sessions.get(user))?.version).toBe(1);
  });

  it('leaves an envelope unacknowledged while the inbox is full; its retry, once there is room, is answered once', async () => {
    const outcomes: AppendOutcome['status'][] = [];
    const { h, socket } = await socketHarness({
      worker: false,
      inbox: { partitions: 1, maxDepth: 1 },
      wrapInbox: (inbox) => ({
        append: async (entries) => {
          const outcome = await inbox.append(entries);
          outcomes.push(outcome.status);
          return outcome;
        },
      }),
    });
    const other = 'U0OTHER';
    const stored = socket.deliver('events_api', eventPayload(dmEvent(other, 'こんにちは')));
    await acked(socket, stored);
    const payload = eventPayload(dmEvent(U, 'こんにちは'));
    const refused = socket.deliver('events_api', payload);
    await vi.waitUntil(() => outcomes.includes('full'), { timeout: 10_000, interval: 5 });
    // An acknowledgement would follow the append at once; give it the chance to show up.
    await new Promise((r) => setTimeout(r, 200));
    expect(socket.acked(refused)).toBe(0);

    await h.startWorker();
    await handled(h);
    const retry = socket.deliver('events_api', payload, { retryAttempt: 1 });
    await acked(socket, retry);
    await handled(h);
    expect((await h.store.sessions.get({ channel: 'slack', id: other }))?.version).toBe(1);
    expect((await h.store.sessions.get(user))?.version).toBe(1);
    expect(h.fake.posted.some((m) => m.channel === dmOf(U))).toBe(true);
  });

  it('stores button presses and slash commands the same way', async () => {
    const { h, socket } = await socketHarness();
    await acked(socket, socket.deliver('events_api', eventPayload(dmEvent(U, 'こんにちは'))));
    await handled(h);
    const asked = h.fake.lastQuestion();
    await acked(socket, socket.deliver('interactive', buttonPress(U, asked, 'no')));
    await handled(h);
    expect((await h.store.sessions.get(user))?.value.answers).toEqual({ offer_notified: 'no' });

    const command = { command: '/mendan', text: 'restart', user_id: U, channel_id: dmOf(U), team_id: TEAM_ID, api_app_id: APP_ID, trigger_id: 't1' };
    await acked(socket, socket.deliver('slash_commands', command));
    await handled(h);
    expect((await h.store.sessions.get(user))?.value.answers).toEqual({});
    expect((await h.store.sessions.get(user))?.version).toBe(3);
  });
});
