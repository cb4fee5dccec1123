/**
 * The staff page at /admin: a few static files read once at startup, served with an ETag.
 * No build step: the page is plain HTML, CSS and ES modules in ./page.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const PAGE_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'page');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
};

interface PageFile {
  body: Buffer;
  type: string;
  etag: string;
}

function loadFiles(dir: string): Map<string, PageFile> {
  const files = new Map<string, PageFile>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[path.extname(name)];
    if (!type) continue;
    const body = readFileSync(path.join(dir, name));
    files.set(name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
  }
  return files;
}

export async function pageRoutes(app: FastifyInstance): Promise<void> {
  const files = loadFiles(PAGE_DIR);
  const serve = (name: string, request: FastifyRequest, reply: FastifyReply) => {
    const file = files.get(name);
    if (!file) return reply.code(404).type('text/plain; charset=utf-8').send('not found');
    // Revalidated every time (a deploy changes them), but a 304 costs nothing.
    reply.header('cache-control', 'no-cache').header('etag', file.etag);
    if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
    return reply.type(file.type).send(file.body);
  };
  const hide = { schema: { hide: true } };
  app.get('/admin', hide, (request, reply) => serve('index.html', request, reply));
  app.get('/admin/', hide, (_request, reply) => reply.redirect('/admin'));
  app.get('/admin/:file', hide, (request, reply) => serve((request.params as { file: string }).file, request, reply));
}
