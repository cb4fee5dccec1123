/**
 * What `/readyz` asks, and whether webhooks can be taken right now. Checks answer quickly
 * and never throw: a probe that hangs while Redis is down would look like a hung process.
 */

export interface ReadinessCheck {
  name: string;
  check: () => boolean | Promise<boolean>;
}

/** A check that has not answered by then counts as not ready. */
export const READINESS_TIMEOUT_MS = 1_000;

/** The parts of the store the checks use. */
export interface StoreLike {
  /** Connected now, without waiting (a reconnecting client would queue commands for seconds). */
  connected(): boolean;
  ping(): Promise<boolean>;
}

/** The parts of a BullMQ worker the checks use. */
export interface WorkerLike {
  isRunning(): boolean;
  readonly closing: Promise<void> | undefined;
}

export function storeReadiness(store: StoreLike): ReadinessCheck {
  return {
    name: 'redis',
    // No PING while disconnected: it would sit in the offline queue and run much later.
    check: async () => store.connected() && (await store.ping()),
  };
}

export function workerReadiness(name: string, worker: () => WorkerLike | undefined): ReadinessCheck {
  return {
    name,
    check: () => {
      const w = worker();
      return !!w && w.isRunning() && !w.closing;
    },
  };
}

/** Runs every check at once, each bounded by READINESS_TIMEOUT_MS. */
export async function runChecks(checks: readonly ReadinessCheck[], timeoutMs = READINESS_TIMEOUT_MS): Promise<Record<string, boolean>> {
  const results = await Promise.all(checks.map(async (c) => [c.name, await bounded(c.check, timeoutMs)] as const));
  return Object.fromEntries(results);
}

async function bounded(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([Promise.resolve().then(check), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
