/**
 * The staff plugin from config, or undefined (with a log line saying how to turn it on)
 * when ADMIN_TOKENS is not set: no token, no staff API.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { ChannelPreview } from '../channels/types.ts';
import type { Config } from '../config.ts';
import type { Content } from '../conversation/content.ts';
import type { HandoffService } from '../handoff/service.ts';
import type { BroadcastChannel } from '../jobs/broadcast/filter.ts';
import type { BroadcastService } from '../jobs/broadcast/service.ts';
import type { RedisStore } from '../store/redis-store.ts';
import { AuditLog } from './audit.ts';
import { parseAdminTokens } from './auth.ts';
import { adminPlugin } from './plugin.ts';

export function createAdminPlugin(deps: {
  config: Config;
  store: RedisStore;
  content: Content;
  service: BroadcastService;
  /** How each channel shows a message, for the page's previews. */
  previews: Record<BroadcastChannel, ChannelPreview>;
  /** The advisor inbox's service. */
  handoffs?: HandoffService;
  logger: Logger;
  clock?: () => Date;
}): FastifyPluginAsync | undefined {
  const { config, store, logger } = deps;
  if (!config.ADMIN_TOKENS) {
    logger.info('staff API and page disabled: set ADMIN_TOKENS (name:token pairs) to enable /admin, /api/admin and /docs');
    return undefined;
  }
  const parsed = parseAdminTokens(config.ADMIN_TOKENS);
  // config.ts has already refused a bad value; this only narrows the type.
  if (!parsed.ok) throw new Error(`ADMIN_TOKENS: ${parsed.error}`);
  logger.info({ staff: parsed.tokens.map((t) => t.name) }, 'staff API enabled at /api/admin, page at /admin, docs at /docs');
  return adminPlugin({
    tokens: parsed.tokens,
    service: deps.service,
    content: deps.content,
    audit: new AuditLog({ store: store.audit, logger: logger.child({ component: 'audit' }), ...(deps.clock ? { clock: deps.clock } : {}) }),
    rateLimit: store.rateLimitBackend(),
    rateLimitPerMinute: config.ADMIN_RATE_LIMIT_PER_MINUTE,
    insights: {
      source: { counters: store.insights, flow: deps.content.flow, timeZone: config.DEFAULT_TIME_ZONE, channels: deps.service.channels, ...(deps.clock ? { clock: deps.clock } : {}) },
      broadcasts: deps.service,
    },
    previews: deps.previews,
    timeZone: config.DEFAULT_TIME_ZONE,
    ...(deps.handoffs ? { handoffs: deps.handoffs } : {}),
  });
}
