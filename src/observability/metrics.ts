/** Prometheus metrics: one registry per app instance, so tests can read exact values. */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    webhookRequests: new Counter({
      name: 'mendan_webhook_requests_total',
      help: 'Webhook requests by channel and HTTP status',
      labelNames: ['channel', 'status'] as const,
      registers,
    }),
    webhookLatency: new Histogram({
      name: 'mendan_webhook_duration_seconds',
      help: 'Time to answer a webhook request',
      labelNames: ['channel', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    eventsProcessed: new Counter({
      name: 'mendan_events_processed_total',
      help: 'Platform events processed',
      labelNames: ['channel'] as const,
      registers,
    }),
    duplicatesDropped: new Counter({
      name: 'mendan_events_duplicate_total',
      help: 'Redelivered or repeated platform events dropped',
      labelNames: ['channel'] as const,
      registers,
    }),
    remindersFired: new Counter({
      name: 'mendan_reminders_total',
      help: 'Reminder jobs finished, by outcome',
      labelNames: ['kind', 'outcome'] as const,
      registers,
    }),
    reminderLateness: new Histogram({
      name: 'mendan_reminder_lateness_seconds',
      help: 'How long after its due time a reminder was sent',
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900],
      registers,
    }),
    broadcastMessages: new Counter({
      name: 'mendan_broadcast_messages_total',
      help: 'Broadcast deliveries by channel and result',
      labelNames: ['channel', 'result'] as const,
      registers,
    }),
    platformErrors: new Counter({
      name: 'mendan_platform_api_errors_total',
      help: 'Errors answered by LINE or Slack APIs, by code',
      labelNames: ['channel', 'code'] as const,
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
