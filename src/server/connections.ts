/**
 * Deadlines for slow clients, and which connections a shutdown may cut at once.
 *
 * Node's defaults let a client that announces a 1 MB body and sends 11 bytes keep its
 * connection (and Fastify's buffer) for minutes, and such a connection holds `close()`.
 * Here: the whole request (headers and body) must arrive within `HTTP_DEADLINE_MS`, a
 * socket silent that long is dropped, and on shutdown every connection that is not waiting
 * for an answer to a request already read in full is destroyed: idle keep-alives, half-sent
 * headers, stalled uploads. Requests read in full keep their connection until answered.
 */
import type { IncomingMessage, ServerOptions, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** Request, connection-inactivity and body-read deadline. Webhooks arrive in milliseconds. */
export const HTTP_DEADLINE_MS = 15_000;

/**
 * Fastify options for `Fastify({...})`. Node checks request deadlines on a timer
 * (`connectionsCheckingInterval`, 30 s by default); checking every second keeps the
 * deadline near what it says.
 */
export function deadlineOptions(deadlineMs = HTTP_DEADLINE_MS): {
  connectionTimeout: number;
  requestTimeout: number;
  http: ServerOptions;
} {
  return {
    connectionTimeout: deadlineMs,
    requestTimeout: deadlineMs,
    http: { headersTimeout: deadlineMs, connectionsCheckingInterval: Math.min(1_000, deadlineMs) },
  };
}

/** Remembers each socket's current exchange so `preClose` can tell busy from stalled. */
export function cutStalledConnectionsOnClose(app: FastifyInstance): void {
  const sockets = new Map<Socket, { request: IncomingMessage; response: ServerResponse } | undefined>();
  app.server.on('connection', (socket: Socket) => {
    sockets.set(socket, undefined);
    socket.once('close', () => sockets.delete(socket));
  });
  app.server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    sockets.set(request.socket, { request, response });
  });
  app.addHook('preClose', async () => {
    for (const [socket, exchange] of sockets) {
      // `complete`: every byte of the request arrived, so a handler may be working on it.
      // Everything else (no request yet, half a request, an answer already sent) is cut.
      const answering = exchange !== undefined && exchange.request.complete && !exchange.response.writableFinished;
      if (!answering) socket.destroy();
    }
  });
}
