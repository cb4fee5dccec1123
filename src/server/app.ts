/**
 * The HTTP server: webhooks for each configured channel, health endpoints. `buildApp` is
 * separate from `listen` so tests drive it with `app.inject()`.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { ConversationService } from '../conversation/service.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Store } from '../store/types.ts';

export interface AppDeps {
  config: Config;
  store: Store;
  conversations: ConversationService;
  logger: Logger;
  metrics?: Metrics;
  /** Channel webhooks and other route plugins, each registered in its own encapsulated context. */
  plugins?: FastifyPluginAsync[];
}

/** Webhook bodies larger than this are refused with 413 before any work is done. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  // pino's Logger and Fastify's FastifyBaseLogger describe the same object with different generics.
  const app: FastifyInstance = Fastify({ loggerInstance: deps.logger as FastifyBaseLogger, bodyLimit: BODY_LIMIT_BYTES });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const redis = await deps.store.ping();
    return reply.code(redis ? 200 : 503).send({ status: redis ? 'ready' : 'unavailable', redis });
  });
  if (deps.metrics) {
    const { registry } = deps.metrics;
    app.get('/metrics', async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  }
  for (const plugin of deps.plugins ?? []) await app.register(plugin);
  return app;
}
