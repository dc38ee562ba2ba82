/**
 * A POST on a connection of its own (no keep-alive): over HTTPS with a client
 * certificate (fetch cannot present one), or over plain HTTP for an `http:`
 * URL (a new connection per call reaches every worker of a pool in turn).
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';

export interface HttpsAnswer {
  readonly status: number;
  readonly contentType: string | null;
  readonly text: string;
}

export function httpsPost(
  url: string,
  body: string | Buffer,
  tls: Pick<RequestOptions, 'ca' | 'cert' | 'key' | 'minVersion' | 'maxVersion' | 'ciphers'>,
  headers: Record<string, string> = {},
): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const request = new URL(url).protocol === 'http:' ? httpRequest : httpsRequest;
    const req = request(
      url,
      {
        method: 'POST',
        agent: false,
        ...tls,
        headers: {
          'Content-Type': 'text/xml; charset=UTF-8',
          'Content-Length': Buffer.byteLength(body),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: res.headers['content-type'] ?? null,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
