/**
 * `npm run bench [-- --only webhooks|reminders|broadcast|long-text]`: runs the benchmarks, prints a table for each and writes every
 * figure, with what machine produced it, to bench/results/latest.json. Benchmarks talk only
 * to loopback servers they start themselves and stop by themselves.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { broadcastTable, runBroadcastBench } from './broadcast.ts';
import { longTextTable, runLongTextBench } from './long-text.ts';
import { runReminderBench, reminderTable } from './reminders.ts';
import { runWebhookBench, webhookTable } from './webhooks.ts';

const BENCHES = ['webhooks', 'reminders', 'broadcast', 'long-text'] as const;
type Bench = (typeof BENCHES)[number];

const { values } = parseArgs({ options: { only: { type: 'string' } } });
if (values.only !== undefined && !BENCHES.includes(values.only as Bench)) {
  console.error(`--only must be one of: ${BENCHES.join(', ')}`);
  process.exit(2);
}
const selected = values.only ? [values.only as Bench] : [...BENCHES];

async function run(bench: Bench): Promise<Record<string, unknown>> {
  switch (bench) {
    case 'webhooks': {
      const results = await runWebhookBench();
      console.log(`\nWebhooks\n\n${webhookTable(results)}\n`);
      return results;
    }
    case 'reminders': {
      const results = await runReminderBench();
      console.log(`\nReminders\n\n${reminderTable(results)}\n`);
      return results;
    }
    case 'long-text': {
      const results = await runLongTextBench();
      console.log(`\nLong text\n\n${longTextTable(results)}\n`);
      return results;
    }
    case 'broadcast': {
      const results = await runBroadcastBench();
      console.log(`\nBroadcast\n\n${broadcastTable(results)}\n`);
      return results;
    }
  }
}

const machine = {
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  platform: `${os.platform()} ${os.release()}`,
};
/** Other work on the machine skews every figure; the load average says how busy it was. */
const load = () => os.loadavg().map((n) => Math.round(n * 100) / 100);
console.log(`mendan-navi benchmarks on ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}`);

const dir = new URL('./results/', import.meta.url);
const file = new URL('latest.json', dir);
// A run with --only replaces that benchmark's figures and keeps the others' from earlier runs.
const figures = (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {}) as Record<string, unknown>;
for (const bench of selected) {
  const started = Date.now();
  const loadBefore = load();
  const results = await run(bench);
  figures[bench] = { at: new Date(started).toISOString(), machine: { ...machine, loadBefore, loadAfter: load() }, seconds: Math.round((Date.now() - started) / 1000), ...results };
}
mkdirSync(dir, { recursive: true });
writeFileSync(file, `${JSON.stringify(figures, null, 2)}\n`);
console.log(`Figures written to ${file.pathname}`);
