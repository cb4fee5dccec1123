/**
 * kill -9 in the middle of a broadcast, twice: once while the audience is being frozen and
 * once while a multicast is on the wire (LINE has delivered it, the worker never hears
 * back). Restarted workers finish the job: every user gets the tip exactly once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { PROJECT_ROOT } from '../src/conversation/content.ts';
import { broadcastKit, lineId, type BroadcastKit } from './support/broadcast.ts';
import { redisUrl } from './support/redis.ts';

const LOCK_MS = 1_000;
const USERS = 20_000;
const children = new Set<ChildProcess>();
let kit: BroadcastKit | undefined;
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await kit?.close();
});

function startWorkerProcess(lineUrl: string, prefix: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'test/support/broadcast-worker-process.ts')], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', REDIS_URL: redisUrl(), REDIS_PREFIX: prefix, LINE_API_BASE_URL: lineUrl, LINE_RATE: '10', LOCK_MS: String(LOCK_MS) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', () => resolve(child));
  });
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  children.delete(child);
}


describe('a broadcast whose worker is killed with SIGKILL', () => {
  it('resumes where it stopped: nobody gets the tip twice, nobody is skipped', { timeout: 90_000 }, async () => {
    kit = await broadcastKit('broadcast-crash', { freezeWaitMs: 0 });
    const k = kit;
    // 20,000 users: a freeze long enough to be killed in, 40 chunks at 10 a second.
    for (let from = 0; from < USERS; from += 2_000) {
      await Promise.all(Array.from({ length: 2_000 }, (_, j) => k.store.users.update({ channel: 'line', id: lineId(from + j) }, { locale: j % 5 ? 'ja' : 'en' })));
    }

    let worker = await startWorkerProcess(k.fakeLine.url, k.prefix);
    const { record } = await k.service.create({ staff: 'aiko', idempotencyKey: 'crash', source: { tipId: 'manners' }, filter: {} });

    // 1. Killed while freezing.
    await vi.waitUntil(async () => (await k.broadcasts.get(record.id))?.status !== 'scheduled', { timeout: 20_000, interval: 5 });
    const duringFreeze = (await k.broadcasts.get(record.id))!.status;
    await kill(worker);
    worker = await startWorkerProcess(k.fakeLine.url, k.prefix);

    // 2. Killed with a multicast on the wire: LINE delivered it, the worker never hears back.
    await vi.waitUntil(() => k.fakeLine.stats.accepted >= 5, { timeout: 20_000, interval: 5 });
    let held = false;
    k.fakeLine.holdNextAccepted(30_000, () => (held = true));
    await vi.waitUntil(() => held, { timeout: 20_000, interval: 5 });
    await kill(worker);
    const midway = (await k.broadcasts.get(record.id))!;
    expect(midway.status).toBe('sending');
    expect(midway.sent).toBeLessThan(USERS);

    await startWorkerProcess(k.fakeLine.url, k.prefix);
    const done = await k.waitFor(record.id, undefined, 60_000);

    expect(done).toMatchObject({ status: 'done', total: USERS, sent: USERS, failed: 0, skipped: 0, chunksDone: 40 });
    expect(k.fakeLine.deliveries.size).toBe(USERS);
    expect(k.fakeLine.stats.doubleDeliveries).toBe(0);
    // The held chunk was sent again with its retry key, and LINE said it already had it.
    expect(k.fakeLine.stats.duplicates).toBeGreaterThanOrEqual(1);
    expect(k.fakeLine.accepted()).toHaveLength(40);
    // Step 1 did hit the freeze (20,000 users take a few hundred ms), and a second run redid it.
    expect(duringFreeze).toBe('freezing');
    expect(Number(await k.raw.redis.hget(k.raw.keys.broadcast(record.id), 'run'))).toBeGreaterThanOrEqual(2);
  });
});
