/**
 * A real Redis Cluster of three masters (no replicas) on loopback ports, in a temporary
 * directory, for the tests that run the bot on a cluster: `redis-server --cluster-enabled
 * yes` three times, then `redis-cli --cluster create`. Each node also listens on its port
 * + 10000 (the cluster bus), so ports are picked where both are free.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';

export interface RedisCluster {
  readonly nodes: { host: string; port: number }[];
  /** `host:port,host:port,...`, as REDIS_CLUSTER_NODES takes it. */
  readonly env: string;
  stop(): Promise<void>;
}

/** Why the cluster tests cannot run here, or undefined when they can. */
export function clusterUnavailable(): string | undefined {
  for (const tool of ['redis-server', 'redis-cli']) {
    const probe = spawnSync(tool, ['--version'], { stdio: 'ignore' });
    if (probe.error) return `${tool} is not installed (Debian: apt-get install redis-server); the Redis Cluster tests need it`;
  }
  return undefined;
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function clusterPorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    if (ports.includes(port)) continue;
    if ((await bindable(port)) && (await bindable(port + 10_000))) ports.push(port);
  }
  return ports;
}

async function untilPong(port: number): Promise<void> {
  const until = Date.now() + 10_000;
  for (;;) {
    const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      if ((await redis.ping()) === 'PONG') return;
    } catch {
      if (Date.now() > until) throw new Error(`redis-server on port ${port} never answered PING`);
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      redis.disconnect();
    }
  }
}

async function untilClusterOk(ports: number[]): Promise<void> {
  const until = Date.now() + 20_000;
  for (const port of ports) {
    const redis = new Redis({ port, host: '127.0.0.1' });
    try {
      for (;;) {
        const info = String(await redis.call('CLUSTER', 'INFO'));
        if (info.includes('cluster_state:ok')) break;
        if (Date.now() > until) throw new Error(`the cluster node on port ${port} never reached cluster_state:ok`);
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      redis.disconnect();
    }
  }
}

export async function startRedisCluster(): Promise<RedisCluster> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mendan-cluster-'));
  const ports = await clusterPorts(3);
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(
      children.map((child) => {
        if (child.exitCode !== null || child.signalCode !== null) return undefined;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        return exited;
      }),
    );
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (const port of ports) {
      const child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', path.join(dir, `nodes-${port}.conf`), '--dir', dir, '--save', '', '--appendonly', 'no'],
        { stdio: 'ignore' },
      );
      children.push(child);
      await new Promise<void>((resolve, reject) => {
        child.once('error', reject);
        child.once('spawn', () => resolve());
      });
    }
    await Promise.all(ports.map(untilPong));
    const create = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8' });
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`);
    await untilClusterOk(ports);
  } catch (error) {
    await stop();
    throw error;
  }
  const nodes = ports.map((port) => ({ host: '127.0.0.1', port }));
  return { nodes, env: nodes.map((n) => `${n.host}:${n.port}`).join(','), stop };
}
