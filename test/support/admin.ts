/**
 * The server with the staff plugin, around a broadcast kit (real Redis, BullMQ workers,
 * fake LINE server). `call` sends a request as a staff member, by token.
 */
import { Writable } from 'node:stream';
import type { InjectOptions } from 'fastify';
import { AuditLog } from '../../src/admin/audit.ts';
import { linePreview } from '../../src/channels/line/index.ts';
import { slackPreview } from '../../src/channels/slack/index.ts';
import { parseAdminTokens } from '../../src/admin/auth.ts';
import { adminPlugin } from '../../src/admin/plugin.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { buildApp } from '../../src/server/app.ts';
import { broadcastKit, type KitOptions } from './broadcast.ts';
import { content, createConversations } from './conversation.ts';

export const TOKENS = { aiko: 'aiko-5f0c8e2b9d7a41c3b6e8f2a0d4c71e9b', ken: 'ken-a83d1f6c0b9e47d2815c3fe6a0b7d94c' } as const;
export const ADMIN_TOKENS = Object.entries(TOKENS)
  .map(([name, token]) => `${name}:${token}`)
  .join(',');

export interface AdminHarnessOptions extends KitOptions {
  rateLimitPerMinute?: number;
  workers?: boolean;
}

export async function adminHarness(options: AdminHarnessOptions = {}) {
  const kit = await broadcastKit('admin', options);
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: 'info',
    destination: new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) logs.push(JSON.parse(line));
        done();
      },
    }),
  });
  const parsed = parseAdminTokens(ADMIN_TOKENS);
  if (!parsed.ok) throw new Error(parsed.error);
  const audit = new AuditLog({ store: kit.store.audit, logger });
  const app = await buildApp({
    config: loadConfig({ LOG_LEVEL: 'silent' }),
    store: kit.store,
    conversations: createConversations(kit.store),
    logger,
    plugins: [
      adminPlugin({
        tokens: parsed.tokens,
        service: kit.service,
        content: content(),
        audit,
        rateLimit: kit.store.rateLimitBackend(),
        rateLimitPerMinute: options.rateLimitPerMinute ?? 1_000,
        previews: { line: linePreview(content().catalog, 'Asia/Tokyo'), slack: slackPreview },
        timeZone: 'Asia/Tokyo',
      }),
    ],
  });
  if (options.workers !== false) kit.startWorkers();

  const call = (as: keyof typeof TOKENS | 'nobody' | string, method: InjectOptions['method'], url: string, extra: { body?: unknown; headers?: Record<string, string> } = {}) => {
    const token = as === 'nobody' ? undefined : (TOKENS as Record<string, string>)[as] ?? as;
    return app.inject({
      method,
      url,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra.headers },
      ...(extra.body !== undefined ? { payload: extra.body as Record<string, unknown> } : {}),
    });
  };

  return {
    kit,
    app,
    audit,
    logs,
    call,
    async close() {
      await app.close();
      await kit.close();
    },
  };
}

export type AdminHarness = Awaited<ReturnType<typeof adminHarness>>;
