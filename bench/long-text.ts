/**
 * Long texts and the event loop (issue #15, point 2): how long reading a pasted mail and a
 * whole conversation step take on adversarial 5,000-character inputs, and how the time
 * grows from 625 to 5,000 characters (×8 in size: about ×8 in time when linear, ×64 when
 * quadratic). Pure CPU work, no servers.
 */
import { step, type EngineContext } from '../src/conversation/engine.ts';
import { normalizeText } from '../src/conversation/normalize.ts';
import { readInvitation } from '../src/reading/invitation.ts';
import { ADVERSARIAL_TEXTS } from '../test/support/adversarial-texts.ts';
import { content } from '../test/support/conversation.ts';

/** No request may hold the loop longer than this (the goal the table prints). */
const GOAL_MS = 10;

function bestOf(runs: number, fn: () => void): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

interface Row {
  input: string;
  readMs: number;
  stepMs: number;
  growth: number;
}

export async function runLongTextBench(): Promise<Record<string, unknown>> {
  const flow = content().flow;
  const ctx: EngineContext = { content: content(), now: new Date('2026-11-26T01:00:00Z'), maxDaysAhead: 180, defaults: { locale: 'ja', timeZone: 'Asia/Tokyo' } };
  const session = step(ctx, undefined, { kind: 'start' }).session!;
  const opts = { receivedAt: new Date('2026-11-26T10:00:00+09:00'), timeZone: 'Asia/Tokyo', flow };
  const rows: Row[] = [];
  for (const [input, full] of Object.entries(ADVERSARIAL_TEXTS)) {
    const text = full.slice(0, 5_000);
    const small = full.slice(0, 625);
    readInvitation(text, opts);
    const readMs = bestOf(20, () => readInvitation(text, opts));
    const stepMs = Math.max(
      bestOf(20, () => step(ctx, session, { kind: 'text', text })),
      bestOf(20, () => step(ctx, undefined, { kind: 'text', text })),
    );
    const growth = readMs / Math.max(bestOf(20, () => readInvitation(small, opts)), 0.001);
    rows.push({ input, readMs: round(readMs), stepMs: round(stepMs), growth: round(growth) });
  }
  const forty = ')'.repeat(40_000);
  const normalize40kMs = round(bestOf(20, () => normalizeText(forty)));
  const step40kMs = round(bestOf(20, () => step(ctx, session, { kind: 'text', text: forty })));
  const worstStepMs = Math.max(...rows.map((r) => r.stepMs), step40kMs);
  return { goalMs: GOAL_MS, worstStepMs, normalize40kMs, step40kMs, rows };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

export function longTextTable(results: Record<string, unknown>): string {
  const rows = results.rows as Row[];
  const lines = [
    '| input (5,000 characters) | read ms | step ms | growth 625→5,000 (linear ≈ 8) |',
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.input} | ${r.readMs} | ${r.stepMs} | ${r.growth} |`),
    `| 40,000 ")": normalise / step | ${results.normalize40kMs} | ${results.step40kMs} | |`,
    '',
    `worst step: ${results.worstStepMs} ms (goal ≤ ${results.goalMs} ms)`,
  ];
  return lines.join('\n');
}
