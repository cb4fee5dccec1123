/**
 * `npm run eval`: reads every invitation of the corpus in test/fixtures/invitations and
 * prints, per split, the accuracy of each field, how many slot lists are exactly right,
 * whether any non-invitation was taken for one, and every miss.
 *   npm run eval -- --split heldout   only the invitations the reader was not tuned on
 *   npm run eval -- --check           exit 1 when a goal is not met on the held-out split
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import { parse as parseYaml } from 'yaml';
import { loadAppContent } from '../app-content.ts';
import { PROJECT_ROOT } from '../conversation/content.ts';
import { readInvitation } from '../reading/invitation.ts';
import { invitationToJson, type InvitationJson } from '../reading/json.ts';

const SPLITS = ['dev', 'heldout', 'fresh'] as const;
const FIELDS = ['is_invite', 'offer_notified', 'contact_from', 'purpose', 'meeting_mode', 'slots', 'reply_deadline', 'verdict'] as const;
const ZONE = 'Asia/Tokyo';
const GOAL_FIELD = 0.9;
const GOAL_SLOTS = 0.85;

interface Entry {
  id: string;
  received_at: string;
  text: string;
  expect: Omit<InvitationJson, 'weekday_mismatch'> & { weekday_mismatch?: string[] };
}

export function loadCorpus(split: (typeof SPLITS)[number]): Entry[] {
  const file = path.join(PROJECT_ROOT, 'test/fixtures/invitations', `${split}.yaml`);
  return parseYaml(readFileSync(file, 'utf8')) as Entry[];
}

/** "2026-12-03 14:00" in the corpus is Tokyo wall-clock time. */
function instants(local: readonly string[], fromIso = false): number[] {
  return local
    .map((s) => (fromIso ? DateTime.fromISO(s) : DateTime.fromFormat(s, 'yyyy-MM-dd HH:mm', { zone: ZONE })).toMillis())
    .sort((a, b) => a - b);
}

function same(field: (typeof FIELDS)[number], got: InvitationJson, want: Entry['expect']): boolean {
  if (field === 'slots') return JSON.stringify(instants(got.slots, true)) === JSON.stringify(instants(want.slots));
  return got[field] === want[field];
}

interface Report {
  lines: string[];
  goalsMet: boolean;
}

export function evaluate(split: (typeof SPLITS)[number]): Report {
  const { flow } = loadAppContent();
  const entries = loadCorpus(split);
  const right = Object.fromEntries(FIELDS.map((f) => [f, 0])) as Record<(typeof FIELDS)[number], number>;
  const misses: string[] = [];
  let falseInvites = 0;
  let mismatchRight = 0;
  for (const entry of entries) {
    const got = invitationToJson(readInvitation(entry.text, { receivedAt: new Date(entry.received_at), timeZone: ZONE, flow }));
    for (const field of FIELDS) {
      if (same(field, got, entry.expect)) right[field]++;
      else misses.push(`  ${entry.id} ${field}: got ${JSON.stringify(got[field])}, expected ${JSON.stringify(entry.expect[field])}`);
    }
    if (got.is_invite && !entry.expect.is_invite) falseInvites++;
    const wantMismatch = JSON.stringify(instants(entry.expect.weekday_mismatch ?? []));
    if (JSON.stringify(instants(got.weekday_mismatch, true)) === wantMismatch) mismatchRight++;
    else misses.push(`  ${entry.id} weekday_mismatch: got ${JSON.stringify(got.weekday_mismatch)}, expected ${JSON.stringify(entry.expect.weekday_mismatch ?? [])}`);
  }
  const n = entries.length;
  const pct = (k: number) => `${((100 * k) / n).toFixed(1)} %`;
  const lines = [`${split}: ${n} texts (${entries.filter((e) => e.expect.is_invite).length} invitations)`];
  for (const field of FIELDS) lines.push(`  ${field.padEnd(16)} ${pct(right[field]).padStart(8)}  (${right[field]}/${n})${field === 'slots' ? ' exactly right' : ''}`);
  lines.push(`  ${'weekday check'.padEnd(16)} ${pct(mismatchRight).padStart(8)}  (${mismatchRight}/${n})`);
  lines.push(`  non-invites read as invitations: ${falseInvites}`);
  const goalsMet = FIELDS.every((f) => right[f] / n >= (f === 'slots' ? GOAL_SLOTS : GOAL_FIELD)) && falseInvites === 0;
  lines.push(`  goals (every field >= 90 %, slots >= 85 %, no non-invite taken for one): ${goalsMet ? 'met' : 'NOT met'}`);
  lines.push(misses.length ? `  misses:\n${misses.join('\n')}` : '  misses: none');
  return { lines, goalsMet };
}

function main(): void {
  const { values } = parseArgs({ options: { split: { type: 'string' }, check: { type: 'boolean', default: false } } });
  const splits = values.split ? SPLITS.filter((s) => s === values.split) : SPLITS;
  if (splits.length === 0) throw new Error(`--split must be one of ${SPLITS.join(', ')}`);
  let heldoutMet = true;
  for (const split of splits) {
    const report = evaluate(split);
    process.stdout.write(`${report.lines.join('\n')}\n\n`);
    if (split === 'heldout') heldoutMet = report.goalsMet;
  }
  if (values.check && !heldoutMet) process.exitCode = 1;
}

if (import.meta.url === `file://${process.argv[1]}`) main();
