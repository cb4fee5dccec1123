/** pino logging. User ids never appear in clear text: log `userTag(user)` instead. */
import { createHash } from 'node:crypto';
import { pino, type Logger } from 'pino';
import type { UserRef } from '../conversation/types.ts';

export type { Logger };

/** Paths pino blanks out wherever they appear in a log object. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-line-signature"]',
  'req.headers["x-slack-signature"]',
  'headers.authorization',
  'token',
  'secret',
  '*.token',
  '*.secret',
  '*.accessToken',
];

export function createLogger(options: { level: string; destination?: pino.DestinationStream }): Logger {
  return pino({ level: options.level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, options.destination);
}

let salt = 'mendan-navi';
export function setUserTagSalt(value: string): void {
  salt = value;
}

/** A stable, non-reversible tag for a user, so logs of one user can be followed without exposing the id. */
export function userTag(user: UserRef): string {
  return `${user.channel}:${createHash('sha256').update(`${salt}:${user.channel}:${user.id}`).digest('hex').slice(0, 12)}`;
}
