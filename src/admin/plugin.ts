/**
 * The staff side of the server, one Fastify plugin: the JSON API under /api/admin (bearer
 * tokens, per-staff rate limits, audit log), its OpenAPI document at /docs, and the page at
 * /admin. Security headers (strict CSP, no framing) come from helmet on the page and API.
 */
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyError, FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Content } from '../conversation/content.ts';
import { BroadcastError, type BroadcastErrorCode, type BroadcastService } from '../jobs/broadcast/service.ts';
import type { ChannelPreview } from '../channels/types.ts';
import type { BroadcastChannel } from '../jobs/broadcast/filter.ts';
import type { RateLimitBackend } from '../store/redis-connection.ts';
import type { AuditLog } from './audit.ts';
import { authenticate, type StaffToken } from './auth.ts';
import type { HandoffService } from '../handoff/service.ts';
import { handoffRoutes } from './handoff-routes.ts';
import { insightsRoutes, type InsightsRoutesDeps } from './insights-routes.ts';
import { pageRoutes } from './page-routes.ts';
import { adminRoutes } from './routes.ts';
import { vendorRoutes } from './vendor-routes.ts';
import { describeIssues, jsonSerializer, zodToOpenApi, zodValidator } from './zod-compiler.ts';

export interface AdminPluginDeps {
  tokens: readonly StaffToken[];
  service: BroadcastService;
  content: Content;
  audit: AuditLog;
  /** Rate-limit counters live here, so every instance counts together. */
  rateLimit: RateLimitBackend;
  /** Requests per minute for each staff member. */
  rateLimitPerMinute: number;
  /** The deployment's time zone, which the page shows and schedules times in. */
  timeZone: string;
  /** The insights counters and what the report needs (GET /api/admin/insights). */
  insights?: InsightsRoutesDeps;
  /** The advisor inbox (/api/admin/handoffs). */
  handoffs?: HandoffService;
  /** How each channel shows a message, for the page's previews. */
  previews: Record<BroadcastChannel, ChannelPreview>;
}

/** Requests without a valid token get a small allowance per address: enough to sign in, too little to guess. */
export const ANONYMOUS_PER_MINUTE = 20;

const STATUS: Record<BroadcastErrorCode, number> = {
  not_found: 404,
  unknown_tip: 422,
  channel_disabled: 422,
  send_at_too_far: 422,
  idempotency_mismatch: 422,
  idempotency_in_progress: 409,
  already_finished: 409,
};

const PAGE_CSP = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
  frameAncestors: ["'none'"],
  objectSrc: ["'none'"],
};

export function adminPlugin(deps: AdminPluginDeps): FastifyPluginAsync {
  return async (app) => {
    app.setValidatorCompiler(zodValidator);
    app.setSerializerCompiler(jsonSerializer);
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: { title: '面談ナビ staff API', version: '1', description: 'Broadcast tips to chosen users. Every route needs `Authorization: Bearer <token>` (ADMIN_TOKENS).' },
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      },
      transform: zodToOpenApi,
    });
    // Its own context, so swagger-ui's CSP hook stays on its own pages.
    await app.register(async (docs) => {
      await docs.register(swaggerUi, {
        routePrefix: '/docs',
        staticCSP: true,
        transformStaticCSP: (header) => `${header.replace(/\s*upgrade-insecure-requests;?/, '').replace("frame-ancestors 'self'", "frame-ancestors 'none'")}`,
      });
    });
    await app.register((api) => apiContext(api, deps), { prefix: '/api/admin' });
    await app.register(async (page) => {
      await page.register(helmet, { contentSecurityPolicy: { useDefaults: false, directives: PAGE_CSP }, frameguard: { action: 'deny' } });
      await pageRoutes(page);
      await vendorRoutes(page);
    });
  };
}

async function apiContext(api: FastifyInstance, deps: AdminPluginDeps): Promise<void> {
  const staff = new WeakMap<FastifyRequest, string>();
  const staffOf = (request: FastifyRequest): string => {
    const name = staff.get(request);
    if (!name) throw new Error('staffOf called on an unauthenticated request');
    return name;
  };

  await api.register(helmet, { contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } }, frameguard: { action: 'deny' } });
  // Who is asking is known before the rate limit, so each staff member has an allowance
  // of their own and bad tokens share a small one per address.
  api.addHook('onRequest', async (request) => {
    const name = authenticate(request.headers.authorization, deps.tokens);
    if (name) staff.set(request, name);
  });
  await api.register(rateLimit, {
    hook: 'onRequest',
    ...deps.rateLimit,
    timeWindow: 60_000,
    keyGenerator: (request) => (staff.has(request) ? `staff:${staff.get(request)}` : `ip:${request.ip}`),
    max: (request) => (staff.has(request) ? deps.rateLimitPerMinute : Math.min(ANONYMOUS_PER_MINUTE, deps.rateLimitPerMinute)),
    errorResponseBuilder: (_request, context) => ({ statusCode: 429, error: 'rate_limited', message: `too many requests; try again in ${context.after}` }),
  });
  // Refused before the body is read (preParsing: after the rate limit's onRequest hooks, which
  // sit on each route), so nothing about the API leaks without a token and nobody without one
  // makes us buffer a body.
  api.addHook('preParsing', async (request, reply) => {
    if (staff.has(request)) return;
    request.log.info({ ip: request.ip, route: request.routeOptions.url }, 'admin request without a valid token');
    return reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="mendan-navi admin"')
      .send({ error: 'unauthorized', message: 'a valid staff token is required (Authorization: Bearer <token>)' });
  });
  api.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });
  api.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.code === 'FST_ERR_VALIDATION') {
      const issues = error instanceof z.ZodError ? describeIssues(error) : [];
      return reply.code(400).send({ error: 'invalid_request', message: issues.map((i) => `${i.path}: ${i.message}`).join('; ') || error.message, issues });
    }
    if (error instanceof BroadcastError) return reply.code(STATUS[error.code]).send({ error: error.code, message: error.message });
    if (error.statusCode === 429) return reply.code(429).send({ error: 'rate_limited', message: error.message });
    if (error.statusCode && error.statusCode < 500) return reply.code(error.statusCode).send({ error: 'bad_request', message: error.message });
    request.log.error({ err: error }, 'admin API error');
    return reply.code(500).send({ error: 'internal', message: 'something went wrong; try again' });
  });
  // A missing Idempotency-Key is named as such rather than as a header validation error.
  api.addHook('preValidation', async (request, reply) => {
    if (request.method === 'POST' && request.routeOptions.url === '/api/admin/broadcasts' && !request.headers['idempotency-key']) {
      return reply.code(400).send({ error: 'idempotency_key_required', message: 'send an Idempotency-Key header (e.g. a UUID) so a retried request cannot create a second broadcast' });
    }
  });
  if (deps.insights) await insightsRoutes(api, deps.insights);
  if (deps.handoffs) await handoffRoutes(api, { handoffs: deps.handoffs, staffOf });
  await adminRoutes(api, { service: deps.service, content: deps.content, audit: deps.audit, previews: deps.previews, timeZone: deps.timeZone, staffOf });
}
