import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

describe('configuration', () => {
  it('has working defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 3000, SESSION_TTL_DAYS: 30, DEFAULT_LOCALE: 'ja', DEFAULT_TIME_ZONE: 'Asia/Tokyo' });
    expect(config.REDIS_URL).toBeUndefined();
  });

  it.each([
    ['SESSION_TTL_DAYS', 'abc'],
    ['SESSION_TTL_DAYS', '0'],
    ['PORT', '70000'],
    ['DEFAULT_TIME_ZONE', 'Mars/Olympus'],
    ['DEFAULT_LOCALE', 'fr'],
    ['REDIS_URL', 'http://localhost:6379'],
    ['LINE_API_BASE_URL', 'not a url'],
    ['ROLE', 'both'],
  ])('stops with a message naming %s when it is %j', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}: .*\\(got "${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\)`));
  });

  it('treats an empty optional variable as unset', () => {
    expect(loadConfig({ REDIS_URL: '' }).REDIS_URL).toBeUndefined();
  });

  it('requires LINE and Slack credentials in pairs', () => {
    expect(() => loadConfig({ LINE_CHANNEL_SECRET: 's' })).toThrow(/LINE_CHANNEL_ACCESS_TOKEN/);
    expect(() => loadConfig({ SLACK_BOT_TOKEN: 'xoxb' })).toThrow(/SLACK_SIGNING_SECRET/);
    expect(loadConfig({ LINE_CHANNEL_SECRET: 's', LINE_CHANNEL_ACCESS_TOKEN: 't' }).LINE_CHANNEL_SECRET).toBe('s');
  });
});
