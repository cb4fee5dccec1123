/**
 * Realistic, correctly signed webhook requests, a new one for every call: distinct event
 * ids (a repeated id would be dropped as a redelivery and cost nothing) and many users, each
 * walking through the diagnosis in order (a user's next event comes thousands of requests
 * later, so one user's events never race each other).
 */
import { createHmac } from 'node:crypto';
import { encodeChoice } from '../../src/channels/line/postback.ts';
import { signLineBody } from '../../src/channels/line/signature.ts';

export interface SignedRequest {
  method: 'POST';
  path: string;
  headers: Record<string, string>;
  body: string;
}

type Step = { text: string } | { choice: [state: string, value: string] };

/** A full diagnosis with a meeting date (which plans reminders), the result card, then a restart. */
const LINE_SCRIPT: Step[] = [
  { text: 'こんにちは' },
  { choice: ['offer_notified', 'no'] },
  { choice: ['contact_from', 'hr'] },
  { choice: ['purpose', 'intent'] },
  { choice: ['first_choice', 'yes'] },
  { choice: ['other_status', 'none'] },
  { text: '明日 15時' },
  { choice: ['meeting_mode', 'online'] },
  { text: '最初から' },
];

/** The same walk typed into a Slack DM (answers by number, as people do). */
const SLACK_SCRIPT = ['こんにちは', '2', '1', '2', '1', '3', '明日 15時', '2', '最初から'];

function cursor(users: number, scriptLength: number) {
  let n = 0;
  return () => {
    const k = n++;
    return { k, user: k % users, step: Math.floor(k / users) % scriptLength };
  };
}

export function lineRequests(secret: string, users = 2_000): () => SignedRequest {
  const next = cursor(users, LINE_SCRIPT.length);
  const run = Date.now().toString(36);
  return () => {
    const { k, user, step } = next();
    const userId = `U${run}${String(user).padStart(24, '0')}`.slice(0, 33);
    const eventId = `01B${run}${String(k).padStart(20, '0')}`;
    const base = {
      mode: 'active',
      timestamp: Date.now(),
      source: { type: 'user', userId },
      webhookEventId: eventId,
      deliveryContext: { isRedelivery: false },
      replyToken: `rt${eventId}`,
    };
    const s = LINE_SCRIPT[step]!;
    const event =
      'text' in s
        ? { ...base, type: 'message', message: { id: `m${k}`, type: 'text', text: s.text, quoteToken: 'q' } }
        : { ...base, type: 'postback', postback: { data: encodeChoice(...s.choice) } };
    const body = JSON.stringify({ destination: 'Ubench', events: [event] });
    return {
      method: 'POST',
      path: '/webhooks/line',
      headers: { 'content-type': 'application/json; charset=utf-8', 'x-line-signature': signLineBody(body, secret) },
      body,
    };
  };
}

export function slackRequests(signingSecret: string, users = 2_000): () => SignedRequest {
  const next = cursor(users, SLACK_SCRIPT.length);
  const run = Date.now().toString(36).toUpperCase();
  return () => {
    const { k, user, step } = next();
    const userId = `U${run}${user}`;
    const body = JSON.stringify({
      token: 'legacy',
      team_id: 'TBENCH',
      api_app_id: 'ABENCH',
      type: 'event_callback',
      event_id: `Ev${run}${k}`,
      event_time: Math.floor(Date.now() / 1000),
      event: { type: 'message', channel: `D${userId}`, channel_type: 'im', user: userId, text: SLACK_SCRIPT[step], ts: `${Date.now() / 1000}` },
    });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
    return {
      method: 'POST',
      path: '/webhooks/slack',
      headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature },
      body,
    };
  };
}
