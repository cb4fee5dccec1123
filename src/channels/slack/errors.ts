/**
 * What Slack Web API failures mean for us. The WebClient is built with
 * `rejectRateLimitedCalls`, so a 429 surfaces here and we wait the `Retry-After` Slack asked
 * for (with a sleep tests can replace) instead of the client's opaque queue pause.
 */

/** Errors that say the person cannot be reached this way; retrying cannot help. */
export const UNREACHABLE_ERRORS: ReadonlySet<string> = new Set([
  'channel_not_found',
  'not_in_channel',
  'account_inactive',
  'user_not_found',
  'user_disabled',
  'cannot_dm_bot',
  'is_archived',
]);

const PLATFORM_ERROR = 'slack_webapi_platform_error';
const RATE_LIMITED_ERROR = 'slack_webapi_rate_limited_error';
const HTTP_ERROR = 'slack_webapi_http_error';
const REQUEST_ERROR = 'slack_webapi_request_error';

interface CodedError {
  code?: unknown;
  data?: { error?: unknown };
  retryAfter?: unknown;
}

/** Slack's error string (`channel_not_found`, `ratelimited`...), when the failure has one. */
export function slackErrorCode(error: unknown): string | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const coded = error as CodedError;
  if (coded.code === RATE_LIMITED_ERROR) return 'ratelimited';
  if (coded.code === PLATFORM_ERROR && typeof coded.data?.error === 'string') return coded.data.error;
  return undefined;
}

/** A bounded label for metrics: Slack's code, `http_<status>`, or `network` when Slack never answered. */
export function errorCodeForMetrics(error: unknown): string {
  const code = slackErrorCode(error);
  if (code !== undefined) return code;
  const coded = (error ?? {}) as { code?: unknown; statusCode?: unknown };
  if (coded.code === HTTP_ERROR && typeof coded.statusCode === 'number') return `http_${coded.statusCode}`;
  if (coded.code === REQUEST_ERROR) return 'network';
  return 'other';
}

export function isUnreachable(error: unknown): boolean {
  const code = slackErrorCode(error);
  return code !== undefined && UNREACHABLE_ERRORS.has(code);
}

/** Seconds Slack asked us to wait, for a rate-limited call. */
export function retryAfterSeconds(error: unknown): number | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const coded = error as CodedError;
  return coded.code === RATE_LIMITED_ERROR && typeof coded.retryAfter === 'number' ? coded.retryAfter : undefined;
}

/** A short description for logs: Slack's code, or the error's message. Never a request body. */
export function describeError(error: unknown): string {
  return slackErrorCode(error) ?? (error instanceof Error ? error.message : String(error));
}

export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export interface RateLimitPolicy {
  sleep: Sleep;
  /** Further attempts after the first rate-limited one. */
  maxRetries: number;
  /** A Retry-After beyond this is not worth holding a reply for; fail instead. */
  maxWaitSeconds: number;
}

export const DEFAULT_RATE_LIMIT_POLICY: RateLimitPolicy = { sleep: realSleep, maxRetries: 3, maxWaitSeconds: 120 };

export async function withRateLimitRetry<T>(call: () => Promise<T>, policy: RateLimitPolicy): Promise<T> {
  for (let retry = 0; ; retry++) {
    try {
      return await call();
    } catch (error) {
      const wait = retryAfterSeconds(error);
      if (wait === undefined || retry >= policy.maxRetries || wait > policy.maxWaitSeconds) throw error;
      await policy.sleep(Math.max(wait, 1) * 1000);
    }
  }
}
