/**
 * The messages between the bench runner and the server processes it forks
 * (over the IPC channel), and the child side of the handshake: a child
 * listens on a random loopback port, says where, and closes on request.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

/** Runner → child. */
export type ToChild =
  /** The raw ceiling: answer every request with this status and body from now on. */
  | { readonly type: 'respond'; readonly status: number; readonly body: string }
  | { readonly type: 'stop' };

/** Child → runner. */
export type FromChild =
  | { readonly type: 'ready'; readonly url: string }
  | { readonly type: 'responding' }
  | { readonly type: 'failed'; readonly message: string };

export function send(message: FromChild): void {
  process.send?.(message);
}

/** Listens on 127.0.0.1:0, reports the URL, and on `stop` runs `close` and exits. */
export async function serveChild(
  server: Server,
  close: () => Promise<void>,
  onMessage: (message: ToChild) => void = () => undefined,
): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  process.on('message', (message: ToChild) => {
    if (message.type !== 'stop') return onMessage(message);
    server.closeAllConnections();
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
  // An orphaned child (the runner died) must not keep running.
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', url: `http://127.0.0.1:${port}` });
}

/** Reports a start-up failure to the runner and exits. */
export function failChild(error: unknown): never {
  send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
