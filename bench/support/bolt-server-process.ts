/**
 * The Slack yardstick: Bolt's own HTTPReceiver with a no-op message listener, on the same
 * signed bodies. Bolt acknowledges before its listener runs (and loses the event if the
 * process dies then); the bot's endpoint acknowledges after the event is stored.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { announce } from './child.ts';

const receiver = new HTTPReceiver({ signingSecret: process.env.SLACK_SIGNING_SECRET!, endpoints: '/webhooks/slack' });
const app = new App({ receiver, authorize: async () => ({ botToken: 'xoxb-bench' }), logLevel: LogLevel.ERROR });
app.message(async () => undefined);
const server = http.createServer(receiver.requestListener);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
announce(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, () => new Promise((resolve) => server.close(() => resolve())));
