/**
 * Socket Mode through the inbox. Slack sends each request as an envelope over a WebSocket
 * (@slack/socket-mode's `SocketModeClient`, its `slack_event`); the envelope's payload is the
 * body an HTTP request would carry, stored by the same `accept` (event id claimed and entry
 * appended in one round trip) and acknowledged by `envelope_id` only once stored. Workers
 * consume the entries exactly as HTTP ones (`InboxReceiver.consume`).
 *
 * An envelope that is not stored (inbox over its depth, Redis away) is not acknowledged, as an
 * HTTP request would get 503: Slack retries an unacknowledged Events API envelope (with
 * `retry_attempt` set, a retry's `event_id` unchanged, so it is stored once); an interactive
 * payload or slash command is not retried and the person sees Slack's timeout error.
 */
import { SocketModeClient } from '@slack/socket-mode';
import type { webApi } from '@slack/bolt';
import { boltLogger } from './bolt-logger.ts';
import { describeError } from './errors.ts';
import type { SlackBody } from './payloads.ts';
import { InboxReceiver, type InboxReceiverOptions } from './receiver.ts';

export interface SocketModeInboxOptions extends InboxReceiverOptions {
  appToken: string;
  /** `slackApiUrl` (SLACK_API_URL) is where `apps.connections.open` is asked for the socket's address. */
  clientOptions: Pick<webApi.WebClientOptions, 'slackApiUrl'>;
}

/** What `SocketModeClient` hands a `slack_event` listener. */
interface Envelope {
  ack: (response?: Record<string, unknown>) => Promise<void>;
  type: string;
  body?: SlackBody;
  retry_num?: number;
  retry_reason?: string;
}

export class SocketModeInboxReceiver extends InboxReceiver {
  private readonly client: SocketModeClient;

  constructor(options: SocketModeInboxOptions) {
    super(options);
    this.client = new SocketModeClient({
      appToken: options.appToken,
      logger: boltLogger(options.logger),
      clientOptions: { slackApiUrl: options.clientOptions.slackApiUrl },
    });
    this.client.on('slack_event', (envelope: Envelope) => {
      void this.store(envelope);
    });
  }

  override start(): Promise<unknown> {
    return this.client.start();
  }

  override async stop(): Promise<unknown> {
    await this.client.disconnect();
    return undefined;
  }

  private async store(envelope: Envelope): Promise<void> {
    const { logger } = this.options;
    if (!envelope.body) return;
    let stored: boolean;
    try {
      const ack = await this.accept(envelope.body, {
        ...(envelope.retry_num !== undefined ? { retryNum: envelope.retry_num } : {}),
        ...(envelope.retry_reason ? { retryReason: envelope.retry_reason } : {}),
      });
      stored = ack.status === 200;
    } catch (error) {
      logger.error({ type: envelope.type, error: describeError(error) }, 'slack envelope not stored; left unacknowledged for Slack to retry');
      return;
    }
    if (!stored) return;
    try {
      await envelope.ack();
    } catch (error) {
      // Stored already: Slack's retry of an event is a duplicate and skipped.
      logger.warn({ type: envelope.type, error: describeError(error) }, 'slack envelope stored but its acknowledgement was not sent');
    }
  }
}
