/**
 * The Node version preflight: the sentence it prints for an old Node (a fake version, and
 * the machine's own older node when there is one), silence on a new one, and that every npm
 * script runs it first.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../src/conversation/content.ts';

const SCRIPT = path.join(PROJECT_ROOT, 'scripts/preflight.cjs');
const { problem } = createRequire(import.meta.url)(SCRIPT) as { problem: (version: string) => string | null };
const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
  scripts: Record<string, string>;
};

describe('preflight', () => {
  it('names the required and the running major version when Node is too old', () => {
    expect(pkg.engines.node).toBe('>=24');
    expect(problem('v20.11.1')).toMatch(/^Node 24 or newer is required \(you have 20\)\./);
    expect(problem('v23.9.0')).toMatch(/you have 23/);
  });

  it('says nothing on Node 24 and newer', () => {
    expect(problem('v24.0.0')).toBeNull();
    expect(problem('v26.1.0')).toBeNull();
    expect(problem(process.version)).toBeNull();
  });

  it('exits 0 silently on this Node', () => {
    const run = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout + run.stderr).toBe('');
  });

  // Debian's packaged node is older than 24 on the machines this was written on; the check
  // must run there, which is the point of keeping the script plain CommonJS.
  const oldNode = ['/usr/bin/node'].find((bin) => existsSync(bin) && Number(/v(\d+)/.exec(spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout)?.[1]) < 24);
  it.skipIf(!oldNode)('runs on an older real node and refuses with one plain sentence', () => {
    const run = spawnSync(oldNode!, [SCRIPT], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^Node 24 or newer is required \(you have \d+\)\./);
    expect(run.stderr).not.toMatch(/\bat \S+:\d+/); // no stack trace
  });

  it('runs before every npm script, and install refuses an old Node (engine-strict)', () => {
    const scripts = Object.keys(pkg.scripts).filter((name) => !name.startsWith('pre') && !name.startsWith('post'));
    for (const name of scripts) expect(pkg.scripts[`pre${name}`], `pre${name}`).toBe('node scripts/preflight.cjs');
    expect(readFileSync(path.join(PROJECT_ROOT, '.npmrc'), 'utf8')).toMatch(/^engine-strict=true$/m);
  });
});
