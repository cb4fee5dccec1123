/**
 * The runtime in a process of its own (test/support/inbox-process.ts), for crash tests that
 * kill it with SIGKILL: started with `env` alone, resolved with its port once it is ready.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/conversation/content.ts';

export interface RuntimeProcess {
  child: ChildProcess;
  port: number;
}

/** `children` collects the process so the test can kill whatever is left. */
export function startRuntimeProcess(role: 'web' | 'worker', env: Record<string, string>, children: ChildProcess[]): Promise<RuntimeProcess> {
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'test/support/inbox-process.ts')], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', ROLE: role, LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code}`)));
    child.stdout!.on('data', (data: Buffer) => {
      const ready = /ready (\d+)/.exec(data.toString());
      if (ready) resolve({ child, port: Number(ready[1]) });
    });
  });
}

export async function kill9(running: RuntimeProcess): Promise<void> {
  const exited = new Promise((resolve) => running.child.once('exit', resolve));
  running.child.kill('SIGKILL');
  await exited;
}
