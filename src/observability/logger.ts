/**
 * pino logging. User ids never appear in clear text: log `userTag(user)` instead. Secrets
 * are censored by key name wherever a log object is likely to carry them (see REDACTED_PATHS),
 * and errors are logged without the extra properties client libraries hang on them.
 */
import { createHash } from 'node:crypto';
import { pino, stdSerializers, type Logger } from 'pino';
import type { UserRef } from '../conversation/types.ts';

export type { Logger };

export const REDACTION_CENSOR = '[redacted]';

/**
 * Keys whose values are credentials: the configuration's secrets (logged as `config`),
 * the names our clients use for them, and LINE's short-lived reply token. A new secret
 * belongs here under every name it is logged by.
 */
export const SECRET_KEYS = [
  'LINE_CHANNEL_SECRET',
  'LINE_CHANNEL_ACCESS_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_BOT_TOKEN',
  'SLACK_APP_TOKEN',
  'LOG_USER_SALT',
  'ADMIN_TOKENS',
  // May carry a password (redis://:password@host).
  'REDIS_URL',
  'secret',
  'token',
  'accessToken',
  'channelSecret',
  'channelAccessToken',
  'signingSecret',
  'botToken',
  'appToken',
  'replyToken',
  'password',
  'authorization',
  'Authorization',
];

/** Request and response headers that authenticate a caller or prove a signature. */
export const SECRET_HEADERS = ['authorization', 'cookie', 'set-cookie', 'x-line-signature', 'x-slack-signature'];

/**
 * pino's redaction is path-based (no "any depth"), so each key is censored at the top of a
 * log object and one level down (`{ config }`, `{ options }`), and headers where Fastify,
 * fetch wrappers and our own code put them.
 */
export const REDACTED_PATHS = [
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`]),
  ...SECRET_HEADERS.flatMap((header) =>
    ['req.headers', 'res.headers', 'request.headers', 'response.headers', 'headers', '*.headers'].map((at) => `${at}["${header}"]`),
  ),
];

/**
 * Name, message, stack and code only. ioredis errors carry the failed command with its
 * arguments (our keys contain user ids), HTTP client errors the request with its headers.
 */
export function errorSerializer(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const full = stdSerializers.err(error);
  const code = (error as { code?: unknown }).code;
  return { type: full.type, message: full.message, stack: full.stack, ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}) };
}

/** Query parameters whose names say they carry a credential. */
const SECRET_QUERY_PARAM = /token|secret|pass|key|sig|auth/i;

/**
 * A request URL fit for the log. The staff API takes its token only in a header and refuses
 * one in the query string, but a refused request is still logged: its whole query goes. Any
 * other URL keeps its query with credential-looking values censored.
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const path = url.slice(0, q);
  if (/^\/api\/admin(\/|$)/.test(path)) return `${path}?${REDACTION_CENSOR}`;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq > 0 && SECRET_QUERY_PARAM.test(pair.slice(0, eq)) ? `${pair.slice(0, eq)}=${REDACTION_CENSOR}` : pair;
    });
  return `${path}?${query.join('&')}`;
}

/** Fastify's request serializer (same fields), with the URL through `redactUrl`. */
function requestSerializer(request: { method?: string; url?: string; host?: string; ip?: string; socket?: { remotePort?: number } }): unknown {
  return {
    method: request.method,
    url: typeof request.url === 'string' ? redactUrl(request.url) : request.url,
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

export function createLogger(options: { level: string; destination?: pino.DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      redact: { paths: REDACTED_PATHS, censor: REDACTION_CENSOR },
      serializers: { err: errorSerializer, error: errorSerializer, req: requestSerializer },
    },
    options.destination,
  );
}

let salt = 'mendan-navi';
export function setUserTagSalt(value: string): void {
  salt = value;
}

/** A stable, non-reversible tag for a user, so logs of one user can be followed without exposing the id. */
export function userTag(user: UserRef): string {
  return `${user.channel}:${createHash('sha256').update(`${salt}:${user.channel}:${user.id}`).digest('hex').slice(0, 12)}`;
}
