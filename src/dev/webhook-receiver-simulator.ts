/**
 * A webhook receiver for tests and demos: an HTTP server on 127.0.0.1 that
 * records every request byte for byte and, given the subscription's
 * secret(s), checks it as a careful receiver does with the
 * `standardwebhooks` library (signature over `{id}.{timestamp}.{body}`,
 * timestamp within 5 minutes), answering 401 when it does not verify.
 * Tests can queue answers: a status (with headers, e.g. `Retry-After` or
 * `Location`), or a hang that never answers.
 *
 * @module
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One request as received. */
export interface ReceivedWebhook {
  readonly method: string;
  readonly path: string;
  /** Header names in lower case. */
  readonly headers: IncomingHttpHeaders;
  /** The raw body text. */
  readonly body: string;
  readonly receivedAtUtcMs: number;
  /** With secrets configured: whether it verified with one of them. */
  readonly verified: boolean | undefined;
  /** What the simulator answered: a status, or `hang`. */
  readonly answer: number | 'hang';
}

/** A queued answer. */
export type SimulatedAnswer =
  | {
      readonly status: number;
      readonly headers?: Readonly<Record<string, string>>;
      readonly body?: string;
    }
  | 'hang';

export interface WebhookReceiverSimulator {
  /** `http://127.0.0.1:<port>/hook` */
  readonly url: string;
  readonly received: readonly ReceivedWebhook[];
  /** Answers the next requests with these, in order; then 204 again. */
  answerNext(...answers: SimulatedAnswer[]): void;
  /** Replaces the secrets requests are checked with (`whsec_…`). */
  useSecrets(secrets: readonly string[]): void;
  close(): Promise<void>;
}

export interface WebhookReceiverOptions {
  readonly port?: number;
  /** Secrets to verify with; without them every request is taken. */
  readonly secrets?: readonly string[];
}

function verifies(secrets: readonly string[], body: string, headers: IncomingHttpHeaders): boolean {
  const flat: Record<string, string> = {};
  for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
    const value = headers[name];
    if (typeof value === 'string') flat[name] = value;
  }
  return secrets.some((secret) => {
    try {
      new Webhook(secret).verify(body, flat);
      return true;
    } catch {
      return false;
    }
  });
}

/** Starts a receiver on 127.0.0.1. */
export async function startWebhookReceiver(
  options: WebhookReceiverOptions = {},
): Promise<WebhookReceiverSimulator> {
  const received: ReceivedWebhook[] = [];
  const queue: SimulatedAnswer[] = [];
  const sockets = new Set<Socket>();
  const hung = new Set<ServerResponse>();
  let secrets = options.secrets ?? [];

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const verified = secrets.length > 0 ? verifies(secrets, body, req.headers) : undefined;
      const queued = queue.shift();
      const answer: SimulatedAnswer =
        verified === false ? { status: 401 } : (queued ?? { status: 204 });
      received.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        receivedAtUtcMs: Date.now(),
        verified,
        answer: answer === 'hang' ? 'hang' : answer.status,
      });
      if (answer === 'hang') {
        hung.add(res);
        return;
      }
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body ?? '');
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    answerNext: (...answers) => queue.push(...answers),
    useSecrets: (next) => (secrets = [...next]),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        hung.clear();
        server.close(() => resolve());
      }),
  };
}
