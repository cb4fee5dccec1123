/**
 * The whole bot (createRuntime, ROLE=all) with LINE at the nock base URLs (fakeLineApi)
 * and the staff API on, on the Redis an `env` names (REDIS_URL or REDIS_CLUSTER_NODES),
 * quiet, its clock `offset` ms from real time.
 */
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { createRuntime, type Runtime } from '../../src/runtime.ts';
import { ADMIN_TOKENS } from './admin.ts';
import { LINE_BASE, LINE_DATA_BASE, LINE_SECRET, LINE_TOKEN } from './line.ts';

export function startLineRuntime(env: Record<string, string>, clock: { offset: number }): Promise<Runtime> {
  const config = loadConfig({
    ...env,
    ROLE: 'all',
    LOG_LEVEL: 'silent',
    ADMIN_TOKENS,
    LINE_CHANNEL_SECRET: LINE_SECRET,
    LINE_CHANNEL_ACCESS_TOKEN: LINE_TOKEN,
    LINE_API_BASE_URL: LINE_BASE,
    LINE_DATA_API_BASE_URL: LINE_DATA_BASE,
  });
  return createRuntime({ config, logger: createLogger({ level: 'silent' }), clock: () => new Date(Date.now() + clock.offset), metrics: createMetrics() });
}
