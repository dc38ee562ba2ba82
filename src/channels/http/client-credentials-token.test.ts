import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ClientCredentialsToken, TokenRequestError } from './client-credentials-token.ts';

interface Seen {
  readonly authorization: string | undefined;
  readonly form: URLSearchParams;
}

describe('ClientCredentialsToken against a token endpoint on loopback', () => {
  let server: Server;
  let url: string;
  const seen: Seen[] = [];
  let answer: (n: number) => { status: number; body: string } = () => ({ status: 200, body: '' });

  const readBody = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString();
  };

  before(async () => {
    server = createServer((req, res) => {
      void readBody(req).then((body) => {
        seen.push({ authorization: req.headers.authorization, form: new URLSearchParams(body) });
        const { status, body: out } = answer(seen.length);
        res.writeHead(status, { 'Content-Type': 'application/json' }).end(out);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/auth`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    seen.length = 0;
    answer = (n) => ({
      status: 200,
      body: JSON.stringify({ access_token: `tok-${n}`, expires_in: 3600 }),
    });
  });

  it('sends HTTP Basic credentials and grant_type, and reuses the token until shortly before expiry', async () => {
    let now = 1_000_000;
    const token = new ClientCredentialsToken({
      tokenUrl: url,
      clientId: 'client id',
      clientSecret: 's3cr:et',
      now: () => now,
    });
    const [a, b] = await Promise.all([token.get(), token.get()]);
    assert.equal(a, 'tok-1');
    assert.equal(b, 'tok-1', 'callers asking at once share one request');
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.form.get('grant_type'), 'client_credentials');
    const basic = Buffer.from(seen[0]!.authorization!.replace(/^Basic /, ''), 'base64').toString();
    assert.equal(basic, 'client%20id:s3cr%3Aet');
    now += 3_500_000; // 58 min 20 s: still more than the 60 s margin left
    assert.equal(await token.get(), 'tok-1');
    now += 50_000; // inside the margin
    assert.equal(await token.get(), 'tok-2');
    assert.equal(token.fetched, 2);
  });

  it('fetches a new token after invalidate (a 401 from the target)', async () => {
    const token = new ClientCredentialsToken({ tokenUrl: url, clientId: 'c', clientSecret: 's' });
    assert.equal(await token.get(), 'tok-1');
    token.invalidate();
    assert.equal(await token.get(), 'tok-2');
  });

  it('can send the credentials in the form body instead', async () => {
    const token = new ClientCredentialsToken({
      tokenUrl: url,
      clientId: 'c',
      clientSecret: 's',
      clientAuth: 'body',
      scope: 'fhir',
    });
    await token.get();
    assert.equal(seen[0]?.authorization, undefined);
    assert.equal(seen[0]?.form.get('client_id'), 'c');
    assert.equal(seen[0]?.form.get('client_secret'), 's');
    assert.equal(seen[0]?.form.get('scope'), 'fhir');
  });

  it('tells a refused credential (not retryable) from a passing failure (retryable), without the secret', async () => {
    const token = new ClientCredentialsToken({
      tokenUrl: url,
      clientId: 'c',
      clientSecret: 'hunter2',
    });
    answer = () => ({ status: 401, body: '{"error":"invalid_client"}' });
    const refused = await token.get().then(
      () => assert.fail('expected a refusal'),
      (err: unknown) => err,
    );
    assert.ok(refused instanceof TokenRequestError);
    assert.equal(refused.retryable, false);
    assert.equal(refused.status, 401);
    assert.doesNotMatch(refused.message, /hunter2/);
    answer = () => ({ status: 503, body: '' });
    const passing = await token.get().catch((err: unknown) => err);
    assert.ok(passing instanceof TokenRequestError && passing.retryable);
    answer = () => ({ status: 200, body: '{"token_type":"bearer"}' });
    const empty = await token.get().catch((err: unknown) => err);
    assert.ok(empty instanceof TokenRequestError && /access_token/.test(empty.message));
  });

  it('treats an unreachable endpoint as a passing failure', async () => {
    const token = new ClientCredentialsToken({
      tokenUrl: 'http://127.0.0.1:1/v1/auth',
      clientId: 'c',
      clientSecret: 's',
    });
    const err = await token.get().catch((e: unknown) => e);
    assert.ok(err instanceof TokenRequestError && err.retryable);
  });
});
