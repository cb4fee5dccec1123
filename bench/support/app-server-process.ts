/**
 * The bot as `npm start` runs it in the role the benchmark asks for (createRuntime: LINE,
 * Slack, Redis, the production logger at info level), configured by the environment.
 * Logs go to /dev/null: writing them is part of the cost, reading them is not.
 */
import { pino } from 'pino';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createRuntime } from '../../src/runtime.ts';
import { announce } from './child.ts';

const config = loadConfig();
const logger = createLogger({ level: config.LOG_LEVEL, destination: pino.destination({ dest: '/dev/null', sync: false }) });
const runtime = await createRuntime({ config, logger });
// Webhooks are refused until Redis is connected; the load starts on a ready bot.
while ((await runtime.app.inject('/readyz')).statusCode !== 200) await new Promise((resolve) => setTimeout(resolve, 50));
const url = await runtime.app.listen({ host: '127.0.0.1', port: 0 });
// CPU time spent so far, so the benchmark can divide it by the events handled.
process.on('message', (message) => {
  if (message === 'cpu') process.send?.({ cpu: process.cpuUsage() });
});
announce(url, () => runtime.stop());
