/**
 * `npm start`: reads config, starts the role asked for (ROLE), shuts down gracefully on
 * SIGTERM (what `docker stop` sends) or SIGINT: stop listening, finish the webhooks, answers
 * and reminder jobs already accepted, close Redis, exit 0.
 */
import { loadConfig } from './config.ts';
import { createLogger, setUserTagSalt } from './observability/logger.ts';
import { createRuntime } from './runtime.ts';
import { untilReady } from './server/until-ready.ts';

/**
 * After this long a shutdown gives up waiting and exits non-zero. Below Docker's default
 * stop timeout (10 s), so the log says why before Docker resorts to SIGKILL; a shutdown
 * normally ends long before, Redis up or down (jobs/close-worker.ts).
 */
const SHUTDOWN_TIMEOUT_MS = 8_000;

/** How long the start waits for Redis (and workers) before listening regardless. */
const STARTUP_WAIT_MS = 5_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL });
  setUserTagSalt(config.LOG_USER_SALT);
  const runtime = await createRuntime({ config, logger });
  await untilReady(runtime.app, STARTUP_WAIT_MS);
  await runtime.app.listen({ port: config.PORT, host: config.HOST });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      // A second Ctrl+C means "now".
      logger.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    stopping = true;
    const started = Date.now();
    logger.info({ signal }, 'shutting down: finishing accepted work');
    setTimeout(() => {
      logger.error({ timeoutMs: SHUTDOWN_TIMEOUT_MS }, 'shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    runtime.stop().then(
      () => {
        logger.info({ ms: Date.now() - started }, 'shutdown complete');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
