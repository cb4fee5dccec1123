/**
 * The yardstick: Fastify with no logger, no plugins and no work, answering 200 to the same
 * webhook bodies. What the bot costs is measured against what this machine and Node give.
 */
import Fastify from 'fastify';
import { announce } from './child.ts';

const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
app.post('/webhooks/:channel', async () => ({}));
const url = await app.listen({ host: '127.0.0.1', port: 0 });
announce(url, () => app.close());
