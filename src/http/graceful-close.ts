/**
 * Closing an HTTP(S) server without dropping anyone: stop accepting, let
 * every request in flight finish, tell keep-alive clients to go
 * (`Connection: close` on every response from then on) and close idle
 * connections only once they have stayed idle a moment.
 *
 * Node's own `server.close()` destroys idle keep-alive connections at once;
 * a client that has just sent its next request on one (its bytes not yet
 * read) then sees a connection reset for a request it could not know would
 * fail. Waiting `idleGraceMs` lets such a request arrive and be answered.
 */
import type { Server } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import { Server as TlsServer } from 'node:tls';

export interface GracefulCloseOptions {
  /** How long a connection must have been idle before it is closed during shutdown (ms); 500 by default. */
  readonly idleGraceMs?: number;
  /** How often idle connections are looked at during shutdown (ms); 50 by default. */
  readonly pollMs?: number;
}

/** What a shutdown did. */
export interface CloseReport {
  /** Connections still busy when the bound ran out, closed by force. */
  readonly forcedConnections: number;
}

export interface GracefulCloser {
  /** True from the moment {@link GracefulCloser.close} is called. */
  readonly isClosing: boolean;
  /**
   * Stops accepting connections and resolves once every connection has
   * closed, or after `timeoutMs`, when the rest are destroyed. Idempotent.
   */
  close(timeoutMs: number): Promise<CloseReport>;
}

interface ConnectionState {
  active: number;
  idleSinceMs: number;
}

export function gracefulCloser(server: Server, options: GracefulCloseOptions = {}): GracefulCloser {
  const idleGraceMs = options.idleGraceMs ?? 500;
  const pollMs = options.pollMs ?? 50;
  // HTTP-level sockets (TLS sockets for HTTPS, as req.socket sees them) and raw TCP ones.
  const connections = new Map<Socket, ConnectionState>();
  const raw = new Set<Socket>();
  let closing: Promise<CloseReport> | undefined;

  server.on('connection', (socket: Socket) => {
    raw.add(socket);
    socket.once('close', () => raw.delete(socket));
  });
  server.on(server instanceof TlsServer ? 'secureConnection' : 'connection', (socket: Socket) => {
    connections.set(socket, { active: 0, idleSinceMs: performance.now() });
    socket.once('close', () => connections.delete(socket));
  });
  server.prependListener('request', (req, res) => {
    if (closing) res.setHeader('Connection', 'close');
    const state = connections.get(req.socket);
    if (!state) return;
    state.active += 1;
    res.once('close', () => {
      state.active -= 1;
      state.idleSinceMs = performance.now();
    });
  });

  function closeIdle(graceMs: number) {
    const now = performance.now();
    for (const [socket, state] of connections)
      if (state.active === 0 && now - state.idleSinceMs >= graceMs) socket.destroy();
  }

  return {
    get isClosing() {
      return closing !== undefined;
    },
    close(timeoutMs) {
      closing ??= new Promise<CloseReport>((resolve) => {
        let forcedConnections = 0;
        const poll = setInterval(() => closeIdle(idleGraceMs), pollMs);
        const bound = setTimeout(() => {
          forcedConnections = raw.size;
          for (const socket of raw) socket.destroy();
        }, timeoutMs);
        // net.Server's close, not http.Server's: that one would drop idle connections at once.
        NetServer.prototype.close.call(server, () => {
          clearInterval(poll);
          clearTimeout(bound);
          resolve({ forcedConnections });
        });
      });
      return closing;
    },
  };
}
