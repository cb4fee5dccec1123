/**
 * No Docker engine runs where the tests run, so the deployment files are checked by reading
 * them: the compose services, ports and environment against the config schema, .env.example
 * against the schema both ways, and the Dockerfile's stages, user, install and copies.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { configSchema, loadConfig } from '../src/config.ts';
import { PROJECT_ROOT } from '../src/conversation/content.ts';

const read = (file: string) => readFileSync(path.join(PROJECT_ROOT, file), 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  volumes?: string[];
  ports?: string[];
  env_file?: string | string[];
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition: string }>;
  stop_grace_period?: string;
  healthcheck?: unknown;
}

const compose = parseYaml(read('docker-compose.yml')) as { services: Record<string, Service>; volumes?: Record<string, unknown> };
const schemaKeys = new Set(Object.keys(configSchema.shape));
const { redis, web, worker } = compose.services;

/** Variables named in .env.example, set (`KEY=`) or shown commented out (`# KEY=`). */
function exampleKeys(): string[] {
  return [...read('.env.example').matchAll(/^(?:#\s*)?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!);
}

function seconds(duration: string): number {
  const match = /^(\d+)(ms|s|m)$/.exec(duration);
  if (!match) throw new Error(`unreadable duration ${duration}`);
  return Number(match[1]) * { ms: 0.001, s: 1, m: 60 }[match[2] as 'ms' | 's' | 'm'];
}

describe('docker-compose.yml', () => {
  it('has redis, web and worker', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['redis', 'web', 'worker']);
  });

  it('runs Redis with append-only persistence on a named volume, never evicting job keys', () => {
    expect(redis!.command).toEqual(expect.arrayContaining(['--appendonly', 'yes', '--maxmemory-policy', 'noeviction']));
    const [volume, mountPoint] = redis!.volumes![0]!.split(':');
    expect(mountPoint).toBe('/data');
    expect(Object.keys(compose.volumes ?? {})).toContain(volume);
    expect(redis!.healthcheck).toBeDefined();
  });

  it("sets Redis's bind address and protected mode itself, and keeps its port off the host", () => {
    const value = (flag: string) => redis!.command![redis!.command!.indexOf(flag) + 1];
    expect(value('--bind')).toBe('0.0.0.0');
    expect(value('--protected-mode')).toBe('no');
    expect(redis!.ports).toBeUndefined();
  });

  it('runs the app image in the web and worker roles, with secrets from .env', () => {
    for (const [service, role] of [
      [web!, 'web'],
      [worker!, 'worker'],
    ] as const) {
      expect(service.build).toBe('.');
      expect(service.env_file).toBe('.env');
      expect(service.environment?.ROLE).toBe(role);
      expect(String(service.environment?.REDIS_URL)).toMatch(/^redis:\/\/redis:6379/);
      expect(service.depends_on?.redis?.condition).toBe('service_healthy');
    }
    expect(web!.image).toBe(worker!.image);
  });

  it('publishes the port the web role listens on, and nothing for the worker', () => {
    const port = String(web!.environment?.PORT);
    expect(web!.ports).toEqual([`${port}:${port}`]);
    expect(worker!.ports).toBeUndefined();
  });

  it('sets only variables the app knows, with values its config accepts', () => {
    for (const service of [web!, worker!]) {
      for (const key of Object.keys(service.environment ?? {})) expect(schemaKeys, `${key} is not in src/config.ts`).toContain(key);
      const env = Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, String(v)]));
      expect(() => loadConfig(env)).not.toThrow();
    }
  });

  it('gives the app longer to stop than its own shutdown bound', () => {
    const bound = Number(/SHUTDOWN_TIMEOUT_MS = ([\d_]+)/.exec(read('src/main.ts'))![1]!.replaceAll('_', '')) / 1000;
    for (const service of [web!, worker!]) expect(seconds(service.stop_grace_period!)).toBeGreaterThan(bound);
  });
});

describe('.env.example', () => {
  it('names every configuration variable, and only those', () => {
    const keys = exampleKeys();
    for (const key of keys) expect(schemaKeys, `${key} in .env.example is not in src/config.ts`).toContain(key);
    for (const key of schemaKeys) expect(keys, `${key} is missing from .env.example`).toContain(key);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((line) => line.trim() && !line.trimStart().startsWith('#'));
  const froms = instructions.filter((line) => line.startsWith('FROM '));

  it('is multi-stage on Node 24 slim', () => {
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const from of froms) expect(from).toMatch(/^FROM node:24(\.\d+)*(-[\w.]+)?-slim\b/);
  });

  it('installs production dependencies only, from the lockfile', () => {
    expect(dockerfile).toMatch(/RUN npm ci --omit=dev/);
    expect(dockerfile).toMatch(/COPY package\.json package-lock\.json/);
  });

  it('runs as the unprivileged node user, with a health check, starting src/main.ts', () => {
    const finalStage = instructions.slice(instructions.indexOf(froms.at(-1)!));
    const user = finalStage.findIndex((line) => line === 'USER node');
    const cmd = finalStage.findIndex((line) => line.startsWith('CMD '));
    expect(user).toBeGreaterThan(-1);
    expect(cmd).toBeGreaterThan(user);
    expect(finalStage[cmd]).toBe('CMD ["node", "src/main.ts"]');
    expect(finalStage.some((line) => /^HEALTHCHECK .*\/healthz/.test(line))).toBe(true);
  });

  it('copies every folder the app reads at run time into the final image', () => {
    const finalStage = instructions.slice(instructions.indexOf(froms.at(-1)!));
    // src: the code; flows and locales: content loaded at startup; assets: the rich menu image.
    for (const folder of ['src', 'flows', 'locales', 'assets']) {
      expect(existsSync(path.join(PROJECT_ROOT, folder))).toBe(true);
      expect(finalStage, `${folder} is not copied`).toContain(`COPY ${folder} ./${folder}`);
    }
    expect(finalStage.some((line) => line.startsWith('COPY --from=deps /app/node_modules'))).toBe(true);
    // package.json says "type": "module": without it Node would not read src/*.ts as ES modules.
    expect(finalStage).toContain('COPY package.json ./');
  });

  it('keeps .env and local node_modules out of the build context', () => {
    const ignored = read('.dockerignore').split('\n').map((line) => line.trim());
    expect(ignored).toEqual(expect.arrayContaining(['.env', 'node_modules', '.git']));
  });
});
