/**
 * One webhook POST over http or https, through the address guard, with a
 * hard time limit for the whole exchange. Redirects are never followed
 * (node's http client does not follow them; the status is returned).
 *
 * @module
 */
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { retryAfterMs } from '../http/retry-after.ts';
import {
  assertDeliverableUrl,
  guardedLookup,
  type AddressPolicy,
  type Resolver,
} from './address-guard.ts';

/** The receiver's answer, as far as the classification needs it. */
export interface PostAnswer {
  readonly status: number;
  readonly retryAfterMs: number | undefined;
  /** The start of the answer's body (for a 400's reason); the rest is not read. */
  readonly bodyStart: string;
}

/** Keeps at most this much of an answer's body. */
const KEPT_BODY_BYTES = 1024;

/** Sends webhook requests; one per channel, so connections are reused. */
export class WebhookPoster {
  readonly #http = new HttpAgent({ keepAlive: true, maxSockets: 8 });
  readonly #https = new HttpsAgent({ keepAlive: true, maxSockets: 8, minVersion: 'TLSv1.2' });

  /**
   * @param policy - where connections may go
   * @param timeoutMs - the whole exchange, connection to last byte (5 s by the issue)
   * @param resolve - the resolver the guard uses (the system's by default)
   */
  constructor(
    private readonly policy: AddressPolicy,
    private readonly timeoutMs: number,
    private readonly resolve?: Resolver,
  ) {}

  /**
   * Posts `body` with `headers`. Rejects on a refused address
   * (`ForbiddenAddressError`, before any connection), a transport error or
   * the time limit; resolves with any HTTP answer.
   */
  post(url: URL, headers: Readonly<Record<string, string>>, body: string): Promise<PostAnswer> {
    assertDeliverableUrl(url, this.policy);
    const payload = Buffer.from(body, 'utf8');
    const isHttps = url.protocol === 'https:';
    const send = isHttps ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, {
        method: 'POST',
        agent: isHttps ? this.#https : this.#http,
        lookup: guardedLookup(this.policy, !isHttps, this.resolve),
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': String(payload.length),
          'user-agent': 'tidbok-webhooks/1',
        },
      });
      const timer = setTimeout(
        () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      const fail = (err: Error) => {
        clearTimeout(timer);
        reject(err);
      };
      req.on('error', fail);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        res.on('data', (chunk: Buffer) => {
          if (kept < KEPT_BODY_BYTES) chunks.push(chunk);
          kept += chunk.length;
        });
        res.on('error', fail);
        res.on('end', () => {
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            retryAfterMs: retryAfterMs(res.headers['retry-after']),
            bodyStart: Buffer.concat(chunks).subarray(0, KEPT_BODY_BYTES).toString('utf8'),
          });
        });
      });
      req.end(payload);
    });
  }

  /** Lets idle keep-alive connections go, so a process can exit. */
  close(): void {
    this.#http.destroy();
    this.#https.destroy();
  }
}
