/**
 * The benchmark's fake LINE API, in a process of its own so the benchmark's memory figure
 * is the broadcaster's alone. Started with fork(); says `{ url }` when listening, answers
 * `'stats'` with its counters. Options come in FAKE_LINE_RATE (requests per second before
 * 429) and FAKE_LINE_TOKEN.
 */
import { FakeLineServer } from '../test/support/fake-line-server.ts';

const server = new FakeLineServer({
  token: process.env.FAKE_LINE_TOKEN ?? 'bench-token',
  ratePerSecond: Number(process.env.FAKE_LINE_RATE ?? 200),
  retryAfterSeconds: 1,
  record: false,
});
const url = await server.start();
process.send!({ url });
process.on('message', (message) => {
  if (message === 'stats') process.send!({ stats: server.stats, distinctRecipients: server.deliveries.size });
  if (message === 'stop') void server.stop().then(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
