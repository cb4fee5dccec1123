/** Pure translation from Slack to neutral input, signatures, error classes, profile mapping. */
import { describe, expect, it } from 'vitest';
import { withRateLimitRetry, isUnreachable, slackErrorCode } from '../src/channels/slack/errors.ts';
import { checkSignature } from '../src/channels/slack/signature.ts';
import { actionToInput, messageToInput, slackTextToPlain, slashToRequest } from '../src/channels/slack/to-inbound.ts';
import { localeFromSlack, timeZoneFromSlack } from '../src/channels/slack/users.ts';
import { content } from './support/conversation.ts';
import { sign } from './support/slack.ts';

const commands = () => content().flow.commands;

describe('messageToInput', () => {
  const dm = { type: 'message', channel: 'D1', channel_type: 'im', user: 'U1', text: 'hello', ts: '1.0' };

  it('reads a direct message as text', () => {
    expect(messageToInput(dm)).toEqual({ userId: 'U1', channelId: 'D1', input: { kind: 'text', text: 'hello' } });
  });

  it.each([
    ['a bot message', { bot_id: 'B1' }],
    ['an edit', { subtype: 'message_changed' }],
    ['a deletion', { subtype: 'message_deleted' }],
    ['a channel message', { channel_type: 'channel' }],
    ['a message without a user', { user: undefined }],
  ])('ignores %s', (_name, change) => {
    expect(messageToInput({ ...dm, ...change })).toBeUndefined();
  });

  it('reads a file upload as unsupported input', () => {
    expect(messageToInput({ ...dm, subtype: 'file_share' })?.input).toEqual({ kind: 'unsupported', what: 'file' });
  });
});

describe('slackTextToPlain', () => {
  it('undoes entities, links and mentions', () => {
    expect(slackTextToPlain('a &lt;b&gt; &amp; <https://x.test|x> <https://y.test> <@U1> <#C1|general>')).toBe(
      'a <b> & x https://y.test  #general',
    );
  });
});

describe('actionToInput', () => {
  const body = (action: Record<string, unknown>, container: Record<string, unknown> = { type: 'message', channel_id: 'D1', message_ts: '9.1' }) => ({
    type: 'block_actions',
    user: { id: 'U1' },
    container,
    message: { ts: '9.1', text: 'Q?', blocks: [] },
    actions: [action],
  });

  it('reads a button as a choice for the question it belonged to', () => {
    const input = actionToInput(
      body({ type: 'button', action_id: 'mendan:choice:1', block_id: 'mendan:q:0:contact_from', value: 'hr', text: { text: 'HR' } }),
      commands(),
    );
    expect(input).toMatchObject({
      source: 'message',
      userId: 'U1',
      channelId: 'D1',
      messageTs: '9.1',
      state: 'contact_from',
      input: { kind: 'choice', value: 'hr', state: 'contact_from' },
      chosen: { value: 'hr' },
    });
  });

  it('reads the date-time picker (unix seconds) as an ISO instant', () => {
    const input = actionToInput(
      body({ type: 'datetimepicker', action_id: 'mendan:datetime', block_id: 'mendan:q:0:meeting_date', selected_date_time: 1_796_274_000 }),
      commands(),
    );
    expect(input?.source === 'message' && input.input).toEqual({ kind: 'datetime', iso: '2026-12-03T05:00:00.000Z', state: 'meeting_date' });
  });

  it('reads App Home buttons as the words of the flow command', () => {
    const home = (actionId: string) =>
      actionToInput(body({ type: 'button', action_id: actionId, block_id: 'b' }, { type: 'view', view_id: 'V1' }), commands());
    expect(home('mendan:home:start')).toEqual({ source: 'home', userId: 'U1', input: { kind: 'start' } });
    expect(home('mendan:home:language:en')).toEqual({ source: 'home', userId: 'U1', input: { kind: 'text', text: 'english' } });
    expect(home('mendan:home:nonsense')).toBeUndefined();
  });

  it('ignores actions that are not ours', () => {
    expect(actionToInput(body({ type: 'button', action_id: 'other', block_id: 'x', value: 'v' }), commands())).toBeUndefined();
    expect(actionToInput({ type: 'view_submission' }, commands())).toBeUndefined();
  });
});

describe('slashToRequest', () => {
  it('starts or resumes on a bare /mendan', () => {
    expect(slashToRequest('', commands())).toEqual({ input: { kind: 'start' }, usage: false });
  });

  it('maps subcommands to the flow command words', () => {
    const text = (sub: string) => {
      const request = slashToRequest(sub, commands());
      return request.input?.kind === 'text' ? request.input.text : undefined;
    };
    expect(text('tips')).toBe('ヒント');
    expect(text('reminders')).toBe('リマインダー');
    expect(text('lang en')).toBe('english');
    expect(text('  LANG   ja ')).toBe('日本語');
    expect(text('最初から')).toBe('最初から');
    expect(slashToRequest('help', commands()).usage).toBe(true);
  });

  it('shows only the usage for anything else', () => {
    expect(slashToRequest('what is this', commands())).toEqual({ usage: true });
  });
});

describe('checkSignature', () => {
  const now = new Date('2026-11-26T01:00:00.000Z');
  const ts = Math.floor(now.getTime() / 1000);
  const body = Buffer.from('{"a":1}');
  const check = (timestamp: number, signature = sign(body.toString(), timestamp, 'secret')) =>
    checkSignature({ signingSecret: 'secret', rawBody: body, timestamp: String(timestamp), signature, now });

  it('accepts a fresh, correct signature', () => expect(check(ts)).toEqual({ ok: true }));
  it('rejects a wrong one', () => expect(check(ts, 'v0=deadbeef')).toEqual({ ok: false, reason: 'mismatch' }));
  it('rejects stale and far-future timestamps', () => {
    expect(check(ts - 301)).toEqual({ ok: false, reason: 'stale' });
    expect(check(ts + 301)).toEqual({ ok: false, reason: 'stale' });
  });
  it('rejects missing headers', () => {
    expect(checkSignature({ signingSecret: 's', rawBody: body, timestamp: undefined, signature: 'v0=x', now })).toEqual({
      ok: false,
      reason: 'missing_headers',
    });
  });
});

describe('Web API errors', () => {
  const platform = (error: string) => Object.assign(new Error(error), { code: 'slack_webapi_platform_error', data: { ok: false, error } });
  const rateLimited = (retryAfter: number) => Object.assign(new Error('rl'), { code: 'slack_webapi_rate_limited_error', retryAfter });

  it('knows which errors mean the person is unreachable', () => {
    for (const code of ['channel_not_found', 'not_in_channel', 'account_inactive', 'user_not_found']) {
      expect(isUnreachable(platform(code))).toBe(true);
    }
    expect(isUnreachable(platform('internal_error'))).toBe(false);
    expect(slackErrorCode(rateLimited(1))).toBe('ratelimited');
  });

  it('retries rate-limited calls after Retry-After, then gives up', async () => {
    const sleeps: number[] = [];
    const policy = { sleep: async (ms: number) => void sleeps.push(ms), maxRetries: 2, maxWaitSeconds: 60 };
    let calls = 0;
    await expect(
      withRateLimitRetry(async () => {
        calls++;
        throw rateLimited(2);
      }, policy),
    ).rejects.toMatchObject({ retryAfter: 2 });
    expect(calls).toBe(3);
    expect(sleeps).toEqual([2000, 2000]);
  });

  it('does not retry other errors, nor waits longer than the policy allows', async () => {
    const policy = { sleep: async () => undefined, maxRetries: 3, maxWaitSeconds: 10 };
    let calls = 0;
    await expect(withRateLimitRetry(async () => (calls++, Promise.reject(platform('channel_not_found'))), policy)).rejects.toThrow();
    await expect(withRateLimitRetry(async () => (calls++, Promise.reject(rateLimited(30))), policy)).rejects.toThrow();
    expect(calls).toBe(2);
  });
});

describe('Slack profile', () => {
  it('maps locales to ours', () => {
    expect(localeFromSlack('ja-JP')).toBe('ja');
    expect(localeFromSlack('en-US')).toBe('en');
    expect(localeFromSlack('en-GB')).toBe('en');
    expect(localeFromSlack('fr-FR')).toBeUndefined();
    expect(localeFromSlack(undefined)).toBeUndefined();
  });

  it('accepts only real time zones', () => {
    expect(timeZoneFromSlack('Asia/Tokyo')).toBe('Asia/Tokyo');
    expect(timeZoneFromSlack('Mars/Olympus')).toBeUndefined();
  });
});
