/**
 * An error as name and message only. Redis client errors carry the failed command with
 * its keys, and our keys contain user ids, which must never reach the logs.
 */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
