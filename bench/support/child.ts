/**
 * Benchmark processes: each server under test runs in a process of its own, so the load
 * generator never shares its event loop. A child reports `{ listening: url }` over IPC once
 * it accepts connections and ends on SIGTERM.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export interface Child {
  url: string;
  /** Sends `message` and resolves with the child's next message. */
  ask<T>(message: string): Promise<T>;
  stop(): Promise<void>;
}

export async function startChild(file: string, env: Record<string, string> = {}): Promise<Child> {
  const proc: ChildProcess = fork(fileURLToPath(new URL(file, import.meta.url)), [], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    proc.once('message', (message: { listening?: string }) => (message.listening ? resolve(message.listening) : reject(new Error(String(message)))));
    proc.once('exit', (code) => reject(new Error(`${file} exited with ${code} before listening`)));
  });
  return {
    url,
    ask<T>(message: string) {
      const answer = once(proc, 'message').then(([reply]) => reply as T);
      proc.send(message);
      return answer;
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = once(proc, 'exit');
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

/** For the child side: say where we listen, and run `stop` on SIGTERM before exiting. */
export function announce(url: string, stop: () => Promise<void>): void {
  process.send?.({ listening: url });
  process.once('SIGTERM', () => {
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
