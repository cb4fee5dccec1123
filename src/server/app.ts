/**
 * The HTTP server: webhooks for each configured channel, health endpoints and metrics.
 * `buildApp` is separate from `listen` so tests drive it with `app.inject()`.
 *
 * Webhook routes say so in their route config (`config: { webhook: <channel> }`); that is how
 * the hooks here recognise them, so channel plugins need no metrics code of their own.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync, type FastifyRequest } from 'fastify';
import type { Channel } from '../conversation/types.ts';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { ConversationService } from '../conversation/service.ts';
import { redactUrl } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Store } from '../store/types.ts';
import { cutStalledConnectionsOnClose, deadlineOptions } from './connections.ts';
import { runChecks, type ReadinessCheck } from './health.ts';

export interface AppDeps {
  config: Config;
  store: Store;
  conversations: ConversationService;
  logger: Logger;
  metrics?: Metrics;
  /** Channel webhooks and other route plugins, each registered in its own encapsulated context. */
  plugins?: FastifyPluginAsync[];
  /** What `/readyz` checks; by default the store's ping. */
  readiness?: ReadinessCheck[];
  /**
   * While this says false, webhooks are refused with 503 at once (LINE and Slack deliver
   * again later) rather than waiting for a Redis that is not there.
   */
  acceptWebhooks?: () => boolean;
  /** Request, body-read and idle-connection deadline; tests shorten it. */
  httpDeadlineMs?: number;
}

/** Webhook bodies larger than this are refused with 413 before any work is done. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/** Seconds a refused webhook suggests waiting; the platforms follow their own schedules anyway. */
const RETRY_AFTER_SECONDS = 5;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Marks a platform's webhook route: the channel it serves (metrics, 503 while Redis is away). */
    webhook?: Channel;
  }
}

/** The channel a request's route serves, for webhook routes only. */
export function webhookChannel(request: FastifyRequest): Channel | undefined {
  return request.routeOptions.config.webhook;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  // pino's Logger and Fastify's FastifyBaseLogger describe the same object with different generics.
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT_BYTES,
    ...deadlineOptions(deps.httpDeadlineMs),
  });
  cutStalledConnectionsOnClose(app);
  // Fastify's own 404 writes the raw URL, query string and all, into its log line.
  app.setNotFoundHandler(async (request, reply) => {
    const message = `Route ${request.method}:${redactUrl(request.url)} not found`;
    request.log.info(message);
    return reply.code(404).send({ message, error: 'Not Found', statusCode: 404 });
  });
  const readiness = deps.readiness ?? [{ name: 'redis', check: () => deps.store.ping() }];
  // Probes and scrapes come every few seconds; their request lines would drown the log.
  const quiet = { logLevel: 'warn' } as const;

  app.get('/healthz', quiet, async () => ({ status: 'ok' }));
  app.get('/readyz', quiet, async (_request, reply) => {
    const checks = await runChecks(readiness);
    const ready = Object.values(checks).every(Boolean);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks });
  });

  // Answers finished during shutdown close their connection. Fastify closes the connections
  // that are idle when it starts closing, but one busy then stays open as keep-alive for up
  // to 72 s afterwards and holds `close()` (and the process) that long.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });

  const { acceptWebhooks, metrics } = deps;
  if (acceptWebhooks) {
    app.addHook('onRequest', async (request, reply) => {
      if (webhookChannel(request) === undefined || acceptWebhooks()) return;
      return reply.code(503).header('retry-after', String(RETRY_AFTER_SECONDS)).send({ message: 'temporarily unavailable' });
    });
  }
  if (metrics) {
    const { registry } = metrics;
    app.get('/metrics', quiet, async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
    app.addHook('onResponse', async (request, reply) => {
      const channel = webhookChannel(request);
      if (channel === undefined) return;
      const labels = { channel, status: String(reply.statusCode) };
      metrics.webhookRequests.inc(labels);
      metrics.webhookLatency.observe(labels, reply.elapsedTime / 1000);
    });
  }

  for (const plugin of deps.plugins ?? []) await app.register(plugin);
  return app;
}
