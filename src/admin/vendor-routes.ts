/**
 * Browser libraries the staff page uses, served from our own server (the page's CSP allows
 * scripts from here only, and staff networks may block CDNs): each file is read once from
 * the installed npm package, so upgrading is `npm install`, with no copy in the repository.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';

const require = createRequire(import.meta.url);

/** URL name -> the package and the file inside its `dist` folder (a self-contained UMD build). */
const VENDOR_FILES: Record<string, { pkg: string; file: string }> = {
  'chart.js': { pkg: 'chart.js', file: 'chart.umd.min.js' },
};

function packageDist(pkg: string): string {
  // The package's main entry lives in dist/; its UMD bundle is next to it.
  return path.dirname(require.resolve(pkg));
}

export async function vendorRoutes(app: FastifyInstance): Promise<void> {
  for (const [name, { pkg, file }] of Object.entries(VENDOR_FILES)) {
    // The source map comment would make browsers with dev tools open ask for a file we do not serve.
    const body = readFileSync(path.join(packageDist(pkg), file), 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    app.get(`/admin/vendor/${name}`, { schema: { hide: true } }, (request, reply) => {
      reply.header('cache-control', 'no-cache').header('etag', etag);
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      return reply.type('text/javascript; charset=utf-8').send(body);
    });
  }
}
