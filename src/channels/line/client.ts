/**
 * A small Messaging API client on node:http(s). The SDK's client throws on any non-2xx and has
 * no retries, so status, `Retry-After` and `x-line-request-id` would have to be dug out of
 * its errors; here every call returns them. 429 and 5xx (and network errors) are retried
 * with exponential backoff that honours `Retry-After`; other 4xx are logged with LINE's
 * request id and returned at once.
 *
 * Not on `fetch`: its WHATWG Request, Headers, Response and body streams cost the worker
 * about 0.25 ms of CPU per call more than `http.request` (one reply per event), and nock,
 * which the tests' fake LINE API runs on, sees `http.request` but not undici's own `request`.
 * Node's global agents keep connections alive.
 */
import http from 'node:http';
import https from 'node:https';
import type { messagingApi } from '@line/bot-sdk';
import type { Logger } from 'pino';
import type { Metrics } from '../../observability/metrics.ts';

export interface RetryPolicy {
  /** Total tries, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A longer `Retry-After` is not waited for: the call fails and its caller decides. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 60_000 };

export interface LineApiOptions {
  baseUrl: string;
  dataBaseUrl: string;
  accessToken: string;
  logger: Logger;
  retry?: Partial<RetryPolicy>;
  timeoutMs?: number;
  /** Injectable so tests do not wait out real backoff. */
  sleep?: (ms: number) => Promise<void>;
  clock?: () => Date;
  /** Every refused or failed call is counted by status (`network` when LINE never answered). */
  metrics?: Metrics;
}

export type ApiResult =
  | { ok: true; status: number; requestId?: string; body: unknown }
  /**
   * status 0: no HTTP answer (network error, timeout). `retryable`: worth trying again later,
   * after `retryAfterMs` when LINE said how long (429, 5xx with `Retry-After`).
   */
  | { ok: false; status: number; requestId?: string; message: string; retryable: boolean; retryAfterMs?: number };

interface CallOptions {
  /** A name for logs; never the URL, which can hold a user id. */
  op: string;
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  json?: unknown;
  binary?: { data: Uint8Array; contentType: string };
  headers?: Record<string, string>;
  host?: 'api' | 'data';
  /** Overrides the policy's attempts (1: no retry). */
  attempts?: number;
  /** Hand a 429 back at once instead of waiting: the caller paces a whole queue, not one call. */
  returnRateLimited?: boolean;
  timeoutMs?: number;
}

export const RETRY_KEY_HEADER = 'X-Line-Retry-Key';

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class LineApi {
  private readonly options: LineApiOptions;
  private readonly retry: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly clock: () => Date;

  constructor(options: LineApiOptions) {
    this.options = options;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.sleep = options.sleep ?? defaultSleep;
    this.clock = options.clock ?? (() => new Date());
  }

  reply(replyToken: string, messages: messagingApi.Message[]): Promise<ApiResult> {
    return this.call({ op: 'reply', method: 'POST', path: '/v2/bot/message/reply', json: { replyToken, messages } });
  }

  /** `retryKey` (a UUID) makes LINE execute the push once however often it is retried. */
  push(to: string, messages: messagingApi.Message[], retryKey: string): Promise<ApiResult> {
    return this.call({
      op: 'push',
      method: 'POST',
      path: '/v2/bot/message/push',
      json: { to, messages },
      headers: { [RETRY_KEY_HEADER]: retryKey },
    });
  }

  /**
   * One message set to up to 500 users. As with push, `retryKey` makes LINE send it once
   * however often it is retried (a repeat is answered 409, which counts as accepted). A 429
   * comes back at once with `retryAfterMs` (broadcasts pause their whole queue on it), unless
   * `rateLimited` is 'wait': then it is waited out like a 5xx, by the retry policy.
   */
  multicast(to: string[], messages: messagingApi.Message[], retryKey: string, rateLimited: 'return' | 'wait' = 'return'): Promise<ApiResult> {
    return this.call({
      op: 'multicast',
      method: 'POST',
      path: '/v2/bot/message/multicast',
      json: { to, messages },
      headers: { [RETRY_KEY_HEADER]: retryKey },
      returnRateLimited: rateLimited === 'return',
    });
  }

  showLoading(chatId: string, seconds: number, timeoutMs?: number): Promise<ApiResult> {
    return this.call({
      op: 'loading',
      method: 'POST',
      path: '/v2/bot/chat/loading/start',
      json: { chatId, loadingSeconds: seconds },
      attempts: 1,
      ...(timeoutMs ? { timeoutMs } : {}),
    });
  }

  /** The profile or undefined, within `timeoutMs` and without retries: callers must not wait on it. */
  async getProfile(userId: string, timeoutMs: number): Promise<messagingApi.UserProfileResponse | undefined> {
    const result = await this.call({
      op: 'profile',
      method: 'GET',
      path: `/v2/bot/profile/${encodeURIComponent(userId)}`,
      attempts: 1,
      timeoutMs,
    });
    return result.ok ? (result.body as messagingApi.UserProfileResponse) : undefined;
  }

  createRichMenu(menu: messagingApi.RichMenuRequest): Promise<ApiResult> {
    return this.call({ op: 'richmenu.create', method: 'POST', path: '/v2/bot/richmenu', json: menu });
  }

  uploadRichMenuImage(richMenuId: string, data: Uint8Array, contentType: string): Promise<ApiResult> {
    return this.call({
      op: 'richmenu.upload',
      method: 'POST',
      path: `/v2/bot/richmenu/${encodeURIComponent(richMenuId)}/content`,
      binary: { data, contentType },
      host: 'data',
    });
  }

  setDefaultRichMenu(richMenuId: string): Promise<ApiResult> {
    return this.call({ op: 'richmenu.setDefault', method: 'POST', path: `/v2/bot/user/all/richmenu/${encodeURIComponent(richMenuId)}` });
  }

  listRichMenus(): Promise<ApiResult> {
    return this.call({ op: 'richmenu.list', method: 'GET', path: '/v2/bot/richmenu/list' });
  }

  deleteRichMenu(richMenuId: string): Promise<ApiResult> {
    return this.call({ op: 'richmenu.delete', method: 'DELETE', path: `/v2/bot/richmenu/${encodeURIComponent(richMenuId)}` });
  }

  private async call(options: CallOptions): Promise<ApiResult> {
    const attempts = Math.max(1, options.attempts ?? this.retry.attempts);
    for (let attempt = 1; ; attempt++) {
      const result = await this.once(options);
      if (!result.ok) this.options.metrics?.platformErrors.inc({ channel: 'line', code: result.status === 0 ? 'network' : String(result.status) });
      const handBack = options.returnRateLimited && result.status === 429;
      if (result.ok || !result.retryable || attempt >= attempts || handBack) {
        // A handed-back 429 is the caller's to log: it is a pause, not a failure.
        if (!result.ok && !handBack) this.logFailure(options.op, result, attempt);
        return result;
      }
      const delay = result.retryAfterMs ?? Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
      if (delay > this.retry.maxRetryAfterMs) {
        this.logFailure(options.op, result, attempt);
        return result;
      }
      this.options.logger.info({ op: options.op, status: result.status, requestId: result.requestId, attempt, delayMs: delay }, 'LINE API call will be retried');
      await this.sleep(delay);
    }
  }

  private async once(options: CallOptions): Promise<ApiResult> {
    const base = options.host === 'data' ? this.options.dataBaseUrl : this.options.baseUrl;
    const headers: Record<string, string> = { Authorization: `Bearer ${this.options.accessToken}`, ...options.headers };
    let body: string | Uint8Array | undefined;
    if (options.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.binary) {
      headers['Content-Type'] = options.binary.contentType;
      body = options.binary.data;
    }
    let response: HttpAnswer;
    try {
      response = await send(new URL(options.path, base), options.method, headers, body, options.timeoutMs ?? this.options.timeoutMs ?? 10_000);
    } catch (error) {
      return { ok: false, status: 0, message: (error as Error).message, retryable: true };
    }
    const requestId = firstHeader(response.headers['x-line-request-id']);
    const text = await response.text;
    const parsed = parseJson(text);
    const withId = requestId ? { requestId } : {};
    const ok = response.status >= 200 && response.status < 300;
    // 409 with a retry key: a request with this key was already accepted, so the messages went out.
    const alreadyAccepted = response.status === 409 && options.headers?.[RETRY_KEY_HEADER] !== undefined;
    if (ok || alreadyAccepted) return { ok: true, status: response.status, body: parsed ?? {}, ...withId };
    const retryable = response.status === 429 || response.status >= 500;
    const message = errorMessage(parsed) ?? (text.slice(0, 200) || response.statusText);
    const retryAfterMs = retryable ? parseRetryAfter(firstHeader(response.headers['retry-after']) ?? null, this.clock()) : undefined;
    return { ok: false, status: response.status, message, retryable, ...withId, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }

  private logFailure(op: string, result: Extract<ApiResult, { ok: false }>, attempts: number): void {
    // A used-up or expired reply token is expected now and then: the caller pushes instead.
    const level = isInvalidReplyToken(result) ? 'info' : 'warn';
    this.options.logger[level](
      { op, status: result.status, requestId: result.requestId, lineMessage: result.message, attempts },
      result.retryable ? 'LINE API call failed after retries' : 'LINE API refused the request',
    );
  }
}

interface HttpAnswer {
  status: number;
  statusText: string;
  headers: http.IncomingHttpHeaders;
  /** The body as text; '' when it could not be read to the end (as `fetch`'s `text()` failing was). */
  text: Promise<string>;
}

/**
 * One request; resolves with the status and headers, rejects when no answer came (network
 * error, or the timeout before the headers). The timeout also covers reading the body.
 */
function send(url: URL, method: string, headers: Record<string, string>, body: string | Uint8Array | undefined, timeoutMs: number): Promise<HttpAnswer> {
  const transport = url.protocol === 'https:' ? https : http;
  const payload = typeof body === 'string' ? Buffer.from(body) : body;
  return new Promise((resolve, reject) => {
    const request = transport.request(
      url,
      {
        method,
        headers: payload ? { ...headers, 'Content-Length': String(payload.byteLength) } : headers,
        signal: AbortSignal.timeout(timeoutMs),
      },
      (response) => {
        const text = new Promise<string>((done) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
          // After 'end' these change nothing; before it the body was cut off (or timed out).
          response.on('error', () => done(''));
          response.on('close', () => done(''));
        });
        resolve({ status: response.statusCode ?? 0, statusText: response.statusMessage ?? '', headers: response.headers, text });
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** LINE answers 400 "Invalid reply token" for a token that is used up or expired. */
export function isInvalidReplyToken(result: ApiResult): boolean {
  return !result.ok && result.status === 400 && /reply token/i.test(result.message);
}

/** `Retry-After` is either seconds or an HTTP date. */
export function parseRetryAfter(header: string | null, now: Date): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorMessage(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !('message' in body) || typeof body.message !== 'string') return undefined;
  const details = 'details' in body && Array.isArray(body.details) ? body.details : [];
  const extra = details
    .map((d: unknown) => (typeof d === 'object' && d !== null && 'message' in d ? `${'property' in d ? `${String(d.property)}: ` : ''}${String(d.message)}` : ''))
    .filter(Boolean);
  return extra.length ? `${body.message} (${extra.join('; ')})` : body.message;
}
