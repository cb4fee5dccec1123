/**
 * `npm run --silent read-invite -- --jsonl`: reads JSON Lines on stdin, each
 * {"text": "...", "received_at": "2026-06-08T12:40:00+09:00"}, and writes what the reader
 * found, one JSON object per line (null where the text does not say). The chat uses the
 * same reader.
 *   --tz Asia/Tokyo   the user's time zone for slots (default: the config's DEFAULT_TIME_ZONE or Asia/Tokyo)
 * Without --jsonl the whole of stdin is one invitation received now.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadAppContent } from '../app-content.ts';
import { readInvitation } from '../reading/invitation.ts';
import { invitationToJson } from '../reading/json.ts';

const { values } = parseArgs({
  options: {
    jsonl: { type: 'boolean', default: false },
    tz: { type: 'string', default: process.env.DEFAULT_TIME_ZONE ?? 'Asia/Tokyo' },
  },
});

function main(): void {
  const { flow } = loadAppContent();
  const input = readFileSync(0, 'utf8');
  const read = (text: string, receivedAt: Date) => JSON.stringify(invitationToJson(readInvitation(text, { receivedAt, timeZone: values.tz, flow })));
  if (!values.jsonl) {
    process.stdout.write(`${read(input, new Date())}\n`);
    return;
  }
  const out: string[] = [];
  input.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let item: { text?: unknown; received_at?: unknown };
    try {
      item = JSON.parse(line) as typeof item;
    } catch {
      throw new Error(`line ${index + 1}: not JSON`);
    }
    const receivedAt = typeof item.received_at === 'string' ? new Date(item.received_at) : new Date();
    if (typeof item.text !== 'string' || Number.isNaN(receivedAt.getTime())) {
      throw new Error(`line ${index + 1}: needs "text" (a string) and "received_at" (an ISO 8601 date)`);
    }
    out.push(read(item.text, receivedAt));
  });
  process.stdout.write(out.length ? `${out.join('\n')}\n` : '');
}

try {
  main();
} catch (error) {
  process.stderr.write(`read-invite: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
