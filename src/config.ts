/**
 * All configuration comes from the environment, checked by one zod schema. A bad value
 * stops the start with a message naming the variable. Documented in README and .env.example.
 */
import { z } from 'zod';
import { DEFAULT_REMINDER_SETTINGS, parseQuietHours, type ReminderSettings } from './conversation/reminder-plan.ts';
import { LOCALES } from './conversation/types.ts';
import { parseAdminTokens } from './admin/auth.ts';
import { parseBusinessHours } from './handoff/hours.ts';
import { parseClusterNodes } from './store/redis-connection.ts';

const int = (min: number, max: number) =>
  z.coerce
    .number({ message: 'must be a number' })
    .int({ message: 'must be a whole number' })
    .min(min, { message: `must be at least ${min}` })
    .max(max, { message: `must be at most ${max}` });
const url = z.url({ message: 'must be a URL' });
const timeZone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be an IANA time zone such as Asia/Tokyo' },
);
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Without it, only `npm run chat` works (in memory). */
  REDIS_URL: optional(url.refine((u) => /^rediss?:/.test(u), { message: 'must start with redis:// or rediss://' })),
  /** Seed nodes of a Redis Cluster, `host:port,host:port`: instead of REDIS_URL, never with it (docs/operations.md). */
  REDIS_CLUSTER_NODES: optional(
    z.string().refine(
      (value) => {
        try {
          return parseClusterNodes(value).length > 0;
        } catch {
          return false;
        }
      },
      { message: 'must be host:port pairs joined by commas, e.g. 10.0.0.1:6379,10.0.0.2:6379' },
    ),
  ),
  REDIS_PREFIX: z.string().regex(/^[\w.:-]*$/, { message: 'letters, digits, _ . : - only' }).default('mendan:'),
  SESSION_TTL_DAYS: int(1, 365).default(30),
  /** A user record is deleted after this many days of silence, once no session, reminder or handoff of theirs is left (store/users-retention.ts). */
  USER_RETENTION_DAYS: int(1, 3650).default(365),
  DEFAULT_LOCALE: z.enum(LOCALES).default('ja'),
  DEFAULT_TIME_ZONE: timeZone.default('Asia/Tokyo'),
  MEETING_MAX_DAYS_AHEAD: int(1, 730).default(180),
  /** Salt for the hashed user ids in logs. */
  LOG_USER_SALT: z.string().default('mendan-navi'),
  /** Quiet hours in the user's time zone: reminders wait until they end. `HH:MM-HH:MM`. */
  REMINDER_QUIET_HOURS: z
    .string()
    .refine((v) => parseQuietHours(v) !== undefined, { message: 'must look like 22:00-08:00' })
    .default('22:00-08:00'),
  REMINDER_EVENING_HOUR: int(0, 23).default(20),
  REMINDER_BEFORE_MINUTES: int(5, 24 * 60).default(120),
  REMINDER_AFTER_MINUTES: int(5, 24 * 60).default(120),
  REMINDER_REPLY_DELAY_MINUTES: int(1, 7 * 24 * 60).default(180),
  PORT: int(0, 65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  ROLE: z.enum(['all', 'web', 'worker']).default('all'),
  /** Streams the inbox is split into; a user always lands in the same one. Change it only with the inbox empty. */
  INBOX_PARTITIONS: int(1, 1024).default(16),
  /** Events waiting in the inbox (all partitions) beyond which webhooks answer 503 + Retry-After. */
  INBOX_MAX_DEPTH: int(10, 100_000_000).default(100_000),
  /** How long a worker holds a partition without renewing it: a dead worker's partitions move on after this. */
  INBOX_LEASE_MS: int(200, 600_000).default(10_000),
  LINE_CHANNEL_SECRET: optional(z.string().min(1)),
  LINE_CHANNEL_ACCESS_TOKEN: optional(z.string().min(1)),
  LINE_API_BASE_URL: url.default('https://api.line.me'),
  LINE_DATA_API_BASE_URL: url.default('https://api-data.line.me'),
  SLACK_SIGNING_SECRET: optional(z.string().min(1)),
  SLACK_BOT_TOKEN: optional(z.string().min(1)),
  SLACK_APP_TOKEN: optional(z.string().min(1)),
  SLACK_API_URL: url.default('https://slack.com/api/'),
  /** `name:token,name:token`; without it the staff API and page are off. */
  ADMIN_TOKENS: optional(
    z.string().superRefine((value, ctx) => {
      const parsed = parseAdminTokens(value);
      if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.error });
    }),
  ),
  /** Requests per minute one staff member (or one address without a valid token) may make. */
  ADMIN_RATE_LIMIT_PER_MINUTE: int(10, 100_000).default(300),
  /** Multicast requests per second across all workers: just under LINE's 200, so its own second never sees more. */
  LINE_BROADCAST_RATE_PER_SECOND: int(1, 2_000).default(190),
  /** Broadcast DMs per second across all workers (Slack allows about one message a second per channel, bursts beyond). */
  SLACK_BROADCAST_RATE_PER_SECOND: int(1, 100).default(1),
  /** Slack channel id where advisor requests are posted; their threads are the conversations (needs the Slack app). */
  STAFF_SLACK_CHANNEL: optional(z.string().regex(/^[CG][A-Z0-9]{2,}$/, { message: 'must be a Slack channel id such as C0123456789' })),
  /** When advisors answer, in DEFAULT_TIME_ZONE, e.g. `Mon-Fri 10:00-19:00` (segments joined by `;`); unset: any time. */
  ADVISOR_HOURS: optional(z.string().refine((v) => parseBusinessHours(v, 'UTC') !== undefined, { message: 'must look like Mon-Fri 10:00-19:00' })),
  /** With no staff answer this long after the user starts waiting (counted from opening), the user is told. */
  ADVISOR_REPLY_HOURS: int(1, 24 * 14).default(24),
});

export type Config = z.infer<typeof configSchema>;

/** Their values never appear in error messages. */
const SECRET_VARIABLES: ReadonlySet<string> = new Set(['ADMIN_TOKENS', 'LINE_CHANNEL_SECRET', 'LINE_CHANNEL_ACCESS_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN']);

/** `scheme://user:password@host` → `scheme://***@host`: a URL is echoed, its credentials never. */
function withoutPassword(value: string): string {
  return value.replace(/\/\/[^/?#]*@/, '//***@');
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = configSchema.safeParse(env);
  if (result.success) {
    const config = result.data;
    if (config.REDIS_URL && config.REDIS_CLUSTER_NODES) {
      throw new ConfigError('Invalid configuration:\n  REDIS_CLUSTER_NODES: set it or REDIS_URL, not both (a standalone Redis or a Redis Cluster)');
    }
    const lineVars = [config.LINE_CHANNEL_SECRET, config.LINE_CHANNEL_ACCESS_TOKEN];
    if (lineVars.filter(Boolean).length === 1) {
      throw new ConfigError(
        `Invalid configuration:\n  ${config.LINE_CHANNEL_SECRET ? 'LINE_CHANNEL_ACCESS_TOKEN' : 'LINE_CHANNEL_SECRET'}: must be set together with ${config.LINE_CHANNEL_SECRET ? 'LINE_CHANNEL_SECRET' : 'LINE_CHANNEL_ACCESS_TOKEN'}`,
      );
    }
    if (config.STAFF_SLACK_CHANNEL && !config.SLACK_BOT_TOKEN) {
      throw new ConfigError('Invalid configuration:\n  STAFF_SLACK_CHANNEL: needs the Slack app (SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN) to post advisor requests');
    }
    const slackVars = [config.SLACK_SIGNING_SECRET, config.SLACK_BOT_TOKEN];
    if (slackVars.filter(Boolean).length === 1) {
      throw new ConfigError(
        `Invalid configuration:\n  ${config.SLACK_SIGNING_SECRET ? 'SLACK_BOT_TOKEN' : 'SLACK_SIGNING_SECRET'}: must be set together with ${config.SLACK_SIGNING_SECRET ? 'SLACK_SIGNING_SECRET' : 'SLACK_BOT_TOKEN'}`,
      );
    }
    return config;
  }
  const lines = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '(environment)');
    const got = SECRET_VARIABLES.has(name) ? undefined : env[name];
    return `  ${name}: ${issue.message}${got !== undefined ? ` (got "${withoutPassword(got)}")` : ''}`;
  });
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}

export function reminderSettings(config: Config): ReminderSettings {
  return {
    ...DEFAULT_REMINDER_SETTINGS,
    ...parseQuietHours(config.REMINDER_QUIET_HOURS),
    eveningHour: config.REMINDER_EVENING_HOUR,
    beforeMinutes: config.REMINDER_BEFORE_MINUTES,
    afterMinutes: config.REMINDER_AFTER_MINUTES,
    replyDelayMinutes: config.REMINDER_REPLY_DELAY_MINUTES,
  };
}
