/**
 * Webhook throughput and latency: signed LINE and Slack events posted by autocannon to the
 * bot's real server (web role on a redis-server of its own, LINE and Slack APIs faked on
 * loopback), next to a bare Fastify server answering 200 to the same requests on the same
 * machine in the same run. The bare figures are the ceiling; the ratio is what the bot keeps.
 */
import autocannon, { type Result } from 'autocannon';
import { startRedisServer } from '../test/support/redis-server.ts';
import { startChild } from './support/child.ts';
import { lineRequests, slackRequests, type SignedRequest } from './support/webhook-requests.ts';

export interface WebhookBenchOptions {
  /** Seconds of measured load per run. */
  durationSeconds?: number;
  /** Seconds of unmeasured load first (JIT, connection pools, Redis warm). */
  warmupSeconds?: number;
  connections?: number;
  /** The bot's LOG_LEVEL; production runs at info, which writes two request lines per webhook. */
  logLevel?: string;
}

export interface LoadFigures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  requests: number;
  non2xx: number;
  errors: number;
}

const LINE_SECRET = 'bench-line-channel-secret';
const SLACK_SECRET = 'bench-slack-signing-secret';

export async function runWebhookBench(options: WebhookBenchOptions = {}): Promise<Record<string, unknown>> {
  const { durationSeconds = 10, warmupSeconds = 2, connections = 20, logLevel = 'info' } = options;
  const load = async (url: string, requests: () => SignedRequest): Promise<LoadFigures> => {
    await fire(url, requests, warmupSeconds, connections);
    return figures(await fire(url, requests, durationSeconds, connections));
  };

  const redis = await startRedisServer();
  const fake = await startChild('./fake-platforms-process.ts');
  try {
    const bare = await startChild('./bare-server-process.ts');
    const bareLine = await load(bare.url, lineRequests(LINE_SECRET));
    const bareSlack = await load(bare.url, slackRequests(SLACK_SECRET));
    await bare.stop();

    const app = await startChild('./app-server-process.ts', {
      ROLE: 'web',
      REDIS_URL: redis.url,
      LOG_LEVEL: logLevel,
      LINE_CHANNEL_SECRET: LINE_SECRET,
      LINE_CHANNEL_ACCESS_TOKEN: 'bench-line-access-token',
      LINE_API_BASE_URL: fake.url,
      LINE_DATA_API_BASE_URL: fake.url,
      SLACK_SIGNING_SECRET: SLACK_SECRET,
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_API_URL: `${fake.url}/api/`,
    });
    const line = await load(app.url, lineRequests(LINE_SECRET));
    const slack = await load(app.url, slackRequests(SLACK_SECRET));
    // Stopping waits for every answer still on its way to the fake APIs.
    await app.stop();
    const calls = await fake.ask<{ counts: Record<string, number> }>('counts');

    return {
      settings: { durationSeconds, warmupSeconds, connections, users: 2_000, logLevel },
      bare: { line: bareLine, slack: bareSlack },
      line: { ...line, ratioToBare: ratios(line, bareLine) },
      slack: { ...slack, ratioToBare: ratios(slack, bareSlack) },
      platformCalls: calls.counts,
    };
  } finally {
    await fake.stop();
    await redis.stop();
  }
}

function fire(url: string, next: () => SignedRequest, duration: number, connections: number): Promise<Result> {
  return autocannon({ url, connections, duration, timeout: 10, requests: [{ method: 'POST', setupRequest: () => next() }] });
}

function figures(result: Result): LoadFigures {
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

/** Throughput kept (bot / bare) and latency paid (bot / bare). */
function ratios(bot: LoadFigures, bare: LoadFigures) {
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return { requestsPerSecond: round(bot.requestsPerSecond / bare.requestsPerSecond), p50: round(bot.p50Ms / bare.p50Ms), p99: round(bot.p99Ms / bare.p99Ms) };
}

export function webhookTable(results: Record<string, unknown>): string {
  const r = results as { bare: Record<'line' | 'slack', LoadFigures>; line: LoadFigures & { ratioToBare: ReturnType<typeof ratios> }; slack: LoadFigures & { ratioToBare: ReturnType<typeof ratios> } };
  const row = (name: string, f: LoadFigures, ratio?: ReturnType<typeof ratios>) =>
    `| ${name} | ${f.requestsPerSecond} | ${f.p50Ms} | ${f.p99Ms} | ${f.non2xx + f.errors} | ${ratio ? `${ratio.requestsPerSecond} / ${ratio.p99}` : '—'} |`;
  return [
    '| webhook server | req/s | p50 ms | p99 ms | non-2xx + errors | vs bare: req/s, p99 |',
    '| --- | --- | --- | --- | --- | --- |',
    row('bare Fastify, LINE bodies', r.bare.line),
    row('bot, LINE', r.line, r.line.ratioToBare),
    row('bare Fastify, Slack bodies', r.bare.slack),
    row('bot, Slack', r.slack, r.slack.ratioToBare),
  ].join('\n');
}
