/**
 * GET /api/admin/insights?days=30: what the bot saw over the last 7, 30 or 90 days of the
 * deployment's time zone, from the daily counters. Registered inside the staff API, so it
 * takes the same bearer tokens and appears in /docs.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { VERDICTS } from '../conversation/types.ts';
import { headline } from '../jobs/broadcast/content.ts';
import type { BroadcastService } from '../jobs/broadcast/service.ts';
import { REMINDER_KINDS } from '../conversation/reminder-plan.ts';
import { USER_EVENTS, REMINDER_SKIPS } from '../insights/fields.ts';
import { PERIODS } from '../insights/period.ts';
import { readInsights, type InsightsSource } from '../insights/read.ts';
import { SMALL_GROUP } from '../insights/report.ts';
import { errorSchema } from './schemas.ts';

export interface InsightsRoutesDeps {
  source: InsightsSource;
  /** Where each counted broadcast's headline and send time come from. */
  broadcasts: Pick<BroadcastService, 'get'>;
}

const count = z
  .union([z.int().min(0), z.literal(SMALL_GROUP)])
  .describe(`A number of people or events; "${SMALL_GROUP}" for a group of 1 to 4, so nobody can be singled out.`);
const counts = <K extends string>(names: readonly K[]) => z.object(Object.fromEntries(names.map((n) => [n, count])) as Record<K, typeof count>);
const share = z.number().min(0).max(1).nullable().describe('Share of the follow-up answers (offer, waiting, rejected) that said offer; null under 5 answers.');
const reminderCounts = { planned: count, sent: count, ...counts(REMINDER_SKIPS).shape, failed: count };

export const insightsQuerySchema = z.object({
  days: z
    .enum(PERIODS.map(String) as [string, ...string[]])
    .default('30')
    .transform(Number)
    .describe('The period: the last 7, 30 or 90 days, today included.'),
});

export const insightsSchema = z.object({
  from: z.string().describe('First day of the period (YYYY-MM-DD, deployment time zone).'),
  to: z.string().describe('Last day of the period: today.'),
  days: z.int(),
  timeZone: z.string(),
  users: z.object({
    total: counts(USER_EVENTS),
    groups: z.array(z.object({ channel: z.string(), locale: z.string(), ...counts(USER_EVENTS).shape })),
  }).describe('new: first conversation; returned: followed or opened the bot again; blocked; optedOut / optedIn of tips.'),
  daily: z.array(z.object({ date: z.string(), new: count, blocked: count, optedOut: count, started: count, results: count })),
  funnel: z
    .array(z.object({ state: z.string(), reached: count, answered: count.optional(), dropOff: count.optional() }))
    .describe('Each question in order: how often it was reached and answered, and the difference; last, the results shown.'),
  invitations: z.object({ read: count, notInvite: count }).describe('Invitations pasted and read; of those, how many were not an invitation.'),
  verdicts: counts(VERDICTS),
  meetingModes: z.record(z.enum(VERDICTS), z.record(z.string(), count)).describe('Meeting modes answered, by the verdict they led to.'),
  outcomes: z
    .record(z.enum(VERDICTS), z.object({ asked: count, offer: count, waiting: count, rejected: count, no_answer: count, offerShare: share }))
    .describe('The follow-up after each meeting, by verdict: asked, and what users answered; no_answer is asked minus the answers given (including "prefer not to say").'),
  followUpSkipped: count.describe('Follow-ups answered "prefer not to say".'),
  reminders: z.object({ ...reminderCounts, byKind: z.array(z.object({ kind: z.enum(REMINDER_KINDS), ...reminderCounts })) }),
  broadcasts: z.array(
    z.object({
      id: z.string(),
      headline: z.object({ ja: z.string(), en: z.string() }).nullable(),
      sendAt: z.string().nullable(),
      recipients: count,
      sent: count,
      failed: count,
      skipped: count,
      optOuts: count.describe('Opt-outs on the broadcast’s channels in the 24 hours after it started sending.'),
    }),
  ),
  handoffs: z.object({
    requests: count,
    answered: count,
    medianMinutesToFirstAnswer: z.number().nullable().describe('null under 5 answered requests.'),
    overdue: count,
  }),
});

export async function insightsRoutes(api: FastifyInstance, deps: InsightsRoutesDeps): Promise<void> {
  api.get(
    '/insights',
    {
      schema: {
        summary: 'Insights: users, the diagnosis funnel, verdicts and how they turned out, reminders, broadcasts, handoffs',
        description: 'Counted day by day as things happen (kept 400 days); no personal data. Any group of 1 to 4 is shown as "< 5".',
        tags: ['insights'],
        security: [{ bearer: [] }],
        querystring: insightsQuerySchema,
        response: { 200: insightsSchema, 400: errorSchema, 401: errorSchema, 429: errorSchema },
      },
    },
    async (request) => {
      const { days } = request.query as z.infer<typeof insightsQuerySchema>;
      const report = await readInsights(deps.source, days);
      const broadcasts = await Promise.all(
        report.broadcasts.map(async (b) => {
          // A broadcast whose record has expired is still listed, by id.
          const record = await deps.broadcasts.get(b.id).catch(() => undefined);
          return { ...b, headline: record ? headline(record.messages) : null, sendAt: record?.sendAt ?? null };
        }),
      );
      // Newest first; those whose record is gone last.
      broadcasts.sort((a, b) => (b.sendAt ?? '').localeCompare(a.sendAt ?? ''));
      return { ...report, broadcasts } satisfies z.infer<typeof insightsSchema>;
    },
  );
}
