/**
 * For crash tests: fake LINE push and multicast endpoints that behave like LINE with retry
 * keys (each key accepted once, repeats answered 409) and can leave the first request
 * unanswered, as if the worker died waiting; and a worker started in its own process, to be
 * killed with SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/conversation/content.ts';

type Cleanup = () => Promise<unknown> | void;

export async function retryKeyLine(options: { hangFirst: boolean }, cleanups: Cleanup[]) {
  const seen = new Map<string, number>();
  const delivered: { to: string; text: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url !== '/v2/bot/message/push' && req.url !== '/v2/bot/message/multicast') return res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      const key = String(req.headers['x-line-retry-key']);
      const count = (seen.get(key) ?? 0) + 1;
      seen.set(key, count);
      if (count > 1) {
        return res.writeHead(409, { 'content-type': 'application/json', 'x-line-accepted-request-id': 'r1' }).end('{"message":"The retry key is already accepted"}');
      }
      const parsed = JSON.parse(body) as { to: string | string[]; messages: { text?: string; altText?: string }[] };
      const text = parsed.messages.map((m) => m.text ?? m.altText ?? '').join('\n');
      for (const to of [parsed.to].flat()) delivered.push({ to, text });
      if (options.hangFirst) return; // the worker dies before it hears back
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"sentMessages":[]}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => server.close(() => r(undefined))), () => server.closeAllConnections());
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, delivered };
}

/** Runs `script` (a path under test/support) with `env`; resolves once it writes its first line. */
export function startWorkerProcess(script: string, env: Record<string, string>, cleanups: Cleanup[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'test/support', script)], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  cleanups.push(() => {
    child.kill('SIGKILL');
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', () => resolve(child));
  });
}
