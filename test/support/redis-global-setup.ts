/**
 * Finds a Redis for the test run: REDIS_URL if it answers, else 127.0.0.1:6379, else a
 * redis-server started here on a free port. Tests read the URL with `inject('redisUrl')`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

function pings(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      resolve(false);
      return;
    }
    const socket = net.connect({ host: parsed.hostname, port: Number(parsed.port || 6379) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => done(data.toString().startsWith('+PONG') || data.toString().includes('NOAUTH')));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

let started: ChildProcess | undefined;

export default async function setup(project: TestProject): Promise<() => void> {
  const candidates = [process.env.REDIS_URL, 'redis://127.0.0.1:6379'].filter((u): u is string => !!u);
  for (const url of candidates) {
    if (await pings(url)) {
      project.provide('redisUrl', url);
      return () => {};
    }
  }
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  try {
    started = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    await new Promise<void>((resolve, reject) => {
      started!.once('error', reject);
      started!.once('spawn', () => resolve());
    });
  } catch {
    throw new Error(
      'Tests need Redis. None answered at REDIS_URL or 127.0.0.1:6379 and `redis-server` could not be started. ' +
        'Install it (Debian: `apt-get install redis-server`) or set REDIS_URL to a running Redis.',
    );
  }
  for (let i = 0; i < 50 && !(await pings(url)); i++) await new Promise((r) => setTimeout(r, 100));
  if (!(await pings(url))) throw new Error(`redis-server was started on port ${port} but never answered PING.`);
  project.provide('redisUrl', url);
  return () => {
    started?.kill();
  };
}
