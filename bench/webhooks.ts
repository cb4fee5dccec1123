/**
 * Webhook throughput and latency: signed LINE and Slack events posted by autocannon to the
 * bot's real servers (one web process and one worker process on a redis-server of their
 * own, LINE and Slack APIs faked on loopback), next to a bare Fastify server answering 200
 * to the same requests, and Bolt's own HTTPReceiver with a no-op listener for Slack, on the
 * same machine in the same run. The bare figures are the ceiling; the ratios are what the
 * bot keeps. Besides requests acknowledged, the events processed (answers that reached the
 * fake LINE API) are counted over the same window, with the CPU time and Redis commands
 * each one cost.
 */
import autocannon, { type Result } from 'autocannon';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config.ts';
import { inboxSettings } from '../src/inbox/settings.ts';
import { RedisStore } from '../src/store/redis-store.ts';
import { startRedisServer } from '../test/support/redis-server.ts';
import { startChild, type Child } from './support/child.ts';
import { lineRequests, slackRequests, type SignedRequest } from './support/webhook-requests.ts';

export interface WebhookBenchOptions {
  /** Seconds of measured load per run. */
  durationSeconds?: number;
  /** Seconds of unmeasured load first (JIT, connection pools, Redis warm). */
  warmupSeconds?: number;
  connections?: number;
  /** The bot's LOG_LEVEL; production runs at info. */
  logLevel?: string;
  /** The fixed rate whose latency is measured (requests per second). */
  fixedRate?: number;
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
const DRAIN_TIMEOUT_MS = 180_000;

export async function runWebhookBench(options: WebhookBenchOptions = {}): Promise<Record<string, unknown>> {
  const { durationSeconds = 10, warmupSeconds = 2, connections = 20, logLevel = 'info', fixedRate = 500 } = options;
  const load = async (url: string, requests: () => SignedRequest, after?: () => Promise<void>): Promise<LoadFigures> => {
    await fire(url, requests, warmupSeconds, connections);
    await after?.();
    return figures(await fire(url, requests, durationSeconds, connections));
  };

  const redis = await startRedisServer();
  const fake = await startChild('./fake-platforms-process.ts');
  const probe = new Redis(redis.url);
  const inboxStore = new RedisStore({ url: redis.url, prefix: 'mendan:', sessionTtlSeconds: 60 });
  const inbox = inboxStore.inbox(inboxSettings(loadConfig({})));
  const replies = async () => (await fake.ask<{ counts: Record<string, number> }>('counts')).counts['line:reply'] ?? 0;
  const drained = async () => {
    const deadline = Date.now() + DRAIN_TIMEOUT_MS;
    while ((await inbox.depth()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  };
  try {
    const bare = await startChild('./bare-server-process.ts');
    const bareLine = await load(bare.url, lineRequests(LINE_SECRET));
    const bareSlack = await load(bare.url, slackRequests(SLACK_SECRET));
    await bare.stop();

    const bolt = await startChild('./bolt-server-process.ts', { SLACK_SIGNING_SECRET: SLACK_SECRET });
    const boltSlack = await load(bolt.url, slackRequests(SLACK_SECRET));
    await bolt.stop();

    const env = {
      REDIS_URL: redis.url,
      LOG_LEVEL: logLevel,
      LINE_CHANNEL_SECRET: LINE_SECRET,
      LINE_CHANNEL_ACCESS_TOKEN: 'bench-line-access-token',
      LINE_API_BASE_URL: fake.url,
      LINE_DATA_API_BASE_URL: fake.url,
      SLACK_SIGNING_SECRET: SLACK_SECRET,
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_API_URL: `${fake.url}/api/`,
      // `BENCH_CPU_PROF_DIR=/tmp/prof npm run bench -- --only webhooks`: a V8 CPU profile of the web and worker processes.
      ...(process.env.BENCH_CPU_PROF_DIR ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}` } : {}),
    };
    const web = await startChild('./app-server-process.ts', { ...env, ROLE: 'web' });
    const worker = await startChild('./app-server-process.ts', { ...env, ROLE: 'worker' });
    const processes = [web, worker];

    // LINE: acknowledged and processed over the same measured window, then what each event cost.
    const lineRequestsOf = lineRequests(LINE_SECRET);
    let before: Snapshot | undefined;
    const line = await load(web.url, lineRequestsOf, async () => {
      await drained();
      before = await snapshot(processes, probe, replies);
    });
    const answeredInWindow = (await replies()) - before!.replies;
    await drained();
    const after = await snapshot(processes, probe, replies);
    const events = after.replies - before!.replies;
    const processedPerSecond = Math.round(answeredInWindow / durationSeconds);

    const fixed = figures(await autocannon({ url: web.url, connections, duration: durationSeconds, timeout: 10, overallRate: fixedRate, requests: [{ method: 'POST', setupRequest: () => lineRequestsOf() }] }));
    await drained();

    let slackCpuBefore = 0;
    const slack = await load(web.url, slackRequests(SLACK_SECRET), async () => {
      slackCpuBefore = await cpuMsOf(web);
    });
    const slackWebCpuMsPerRequest = round(((await cpuMsOf(web)) - slackCpuBefore) / slack.requests);
    await drained();
    for (const child of processes) await child.stop();
    const calls = await fake.ask<{ counts: Record<string, number> }>('counts');

    return {
      settings: { durationSeconds, warmupSeconds, connections, users: 2_000, logLevel, deployment: '1 web + 1 worker process' },
      bare: { line: bareLine, slack: bareSlack },
      bolt: { slack: boltSlack },
      line: {
        ...line,
        ratioToBare: ratios(line, bareLine),
        processedPerSecond,
        processedRatioToBare: round(processedPerSecond / bareLine.requestsPerSecond),
        fixedRate: { requestsPerSecond: fixedRate, p50Ms: fixed.p50Ms, p99Ms: fixed.p99Ms, non2xx: fixed.non2xx + fixed.errors },
        cpuMsPerEvent: events ? round((after.cpuMs - before!.cpuMs) / events) : null,
        // CPU time, unlike requests a second, hardly moves with what else runs on the machine.
        webCpuMsPerRequest: round((after.cpuMsOf[0]! - before!.cpuMsOf[0]!) / line.requests),
        workerCpuMsPerEvent: events ? round((after.cpuMsOf[1]! - before!.cpuMsOf[1]!) / events) : null,
        redisCommandsPerEvent: events ? round((after.redisCommands - before!.redisCommands) / events) : null,
        redisCpuMsPerEvent: events ? round((after.redisCpuMs - before!.redisCpuMs) / events) : null,
        redisCommandsPerEventByName: events ? perEvent(before!.redisCalls, after.redisCalls, events) : null,
        eventsMeasured: events,
      },
      slack: { ...slack, ratioToBare: ratios(slack, bareSlack), ratioToBolt: ratios(slack, boltSlack), webCpuMsPerRequest: slackWebCpuMsPerRequest },
      platformCalls: calls.counts,
    };
  } finally {
    probe.disconnect();
    await inboxStore.close();
    await fake.stop();
    await redis.stop();
  }
}

interface Snapshot {
  replies: number;
  /** User + system CPU of the bot's processes, ms: all of them, and each (web, worker). */
  cpuMs: number;
  cpuMsOf: number[];
  /** Every command Redis ran (INFO commandstats, scripts' inner commands included). */
  redisCommands: number;
  /** The same by command name. */
  redisCalls: Record<string, number>;
  /** CPU redis-server has used (INFO cpu: used_cpu_sys + used_cpu_user), ms. */
  redisCpuMs: number;
}

async function snapshot(processes: Child[], redis: Redis, replies: () => Promise<number>): Promise<Snapshot> {
  const cpu: number[] = [];
  for (const child of processes) cpu.push(await cpuMsOf(child));
  const cpuMs = cpu.reduce((sum, ms) => sum + ms, 0);
  const stats = await redis.info('commandstats');
  const redisCalls = Object.fromEntries([...stats.matchAll(/cmdstat_([^:]+):calls=(\d+)/g)].map((m) => [m[1]!, Number(m[2])]));
  const redisCommands = Object.values(redisCalls).reduce((sum, n) => sum + n, 0);
  const usage = await redis.info('cpu');
  const redisCpuMs = [...usage.matchAll(/used_cpu_(?:sys|user):([\d.]+)/g)].reduce((sum, m) => sum + Number(m[1]) * 1000, 0);
  return { replies: await replies(), cpuMs, cpuMsOf: cpu, redisCommands, redisCalls, redisCpuMs };
}

/** User + system CPU a benchmark process has used so far, ms. */
async function cpuMsOf(child: Child): Promise<number> {
  const { cpu } = await child.ask<{ cpu: { user: number; system: number } }>('cpu');
  return (cpu.user + cpu.system) / 1000;
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

const round = (n: number) => Math.round(n * 1000) / 1000;

/** Calls per event of each command that ran, most first. */
function perEvent(before: Record<string, number>, after: Record<string, number>, events: number): Record<string, number> {
  const rows = Object.entries(after).map(([name, calls]) => [name, round((calls - (before[name] ?? 0)) / events)] as const);
  return Object.fromEntries(rows.filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]));
}

/** Throughput kept (bot / yardstick) and latency paid (bot / yardstick). */
function ratios(bot: LoadFigures, base: LoadFigures) {
  return { requestsPerSecond: round(bot.requestsPerSecond / base.requestsPerSecond), p50: round(bot.p50Ms / base.p50Ms), p99: round(bot.p99Ms / base.p99Ms) };
}

type LineResults = LoadFigures & {
  ratioToBare: ReturnType<typeof ratios>;
  processedPerSecond: number;
  processedRatioToBare: number;
  fixedRate: { requestsPerSecond: number; p50Ms: number; p99Ms: number };
  cpuMsPerEvent: number | null;
  webCpuMsPerRequest: number;
  workerCpuMsPerEvent: number | null;
  redisCpuMsPerEvent: number | null;
  redisCommandsPerEvent: number | null;
};

export function webhookTable(results: Record<string, unknown>): string {
  const r = results as {
    bare: Record<'line' | 'slack', LoadFigures>;
    bolt: { slack: LoadFigures };
    line: LineResults;
    slack: LoadFigures & { ratioToBare: ReturnType<typeof ratios>; ratioToBolt: ReturnType<typeof ratios>; webCpuMsPerRequest: number };
  };
  const row = (name: string, f: LoadFigures, ratio?: ReturnType<typeof ratios>) =>
    `| ${name} | ${f.requestsPerSecond} | ${f.p50Ms} | ${f.p99Ms} | ${f.non2xx + f.errors} | ${ratio ? `${ratio.requestsPerSecond} / ${ratio.p99}` : '—'} |`;
  return [
    '| webhook server | req/s | p50 ms | p99 ms | non-2xx + errors | vs yardstick: req/s, p99 |',
    '| --- | --- | --- | --- | --- | --- |',
    row('bare Fastify, LINE bodies', r.bare.line),
    row('bot, LINE (acknowledged)', r.line, r.line.ratioToBare),
    row('bare Fastify, Slack bodies', r.bare.slack),
    row('Bolt HTTPReceiver, no-op listener', r.bolt.slack),
    row('bot, Slack (vs Bolt)', r.slack, r.slack.ratioToBolt),
    '',
    `LINE events processed: ${r.line.processedPerSecond}/s (${r.line.processedRatioToBare} of bare); ` +
      `at a fixed ${r.line.fixedRate.requestsPerSecond} req/s: p50 ${r.line.fixedRate.p50Ms} ms, p99 ${r.line.fixedRate.p99Ms} ms; ` +
      `per event: ${r.line.cpuMsPerEvent} ms CPU (web ${r.line.webCpuMsPerRequest} per request, worker ${r.line.workerCpuMsPerEvent}, Redis ${r.line.redisCpuMsPerEvent}), ${r.line.redisCommandsPerEvent} Redis commands; ` +
      `Slack: web ${r.slack.webCpuMsPerRequest} ms CPU per request`,
  ].join('\n');
}
