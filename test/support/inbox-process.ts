/**
 * The real runtime in its own process, for crash tests: the test kills it with SIGKILL.
 * Configured entirely by environment (ROLE, REDIS_URL, REDIS_PREFIX, the platform URLs and
 * secrets, INBOX_*); listens on a free port and prints `ready <port>`.
 */
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { createRuntime } from '../../src/runtime.ts';
import { untilReady } from '../../src/server/until-ready.ts';

const config = loadConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1' });
const runtime = await createRuntime({ config, logger: createLogger({ level: config.LOG_LEVEL }), metrics: createMetrics() });
// As npm start does: on a busy machine Redis may take a moment, and webhooks answer 503 until then.
await untilReady(runtime.app, 10_000);
const address = await runtime.app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`ready ${new URL(address).port}\n`);
