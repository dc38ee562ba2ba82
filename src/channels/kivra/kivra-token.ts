/**
 * Kivra's bearer token (`POST /v1/auth`, HTTP Basic, client credentials):
 * fetched when first needed, kept until shortly before `expires_in` runs out,
 * dropped after a 401. Concurrent callers share one fetch.
 *
 * @module
 */

/** Kivra refused or failed to give a token; the message holds no secret. */
export class KivraAuthError extends Error {
  override readonly name = 'KivraAuthError';
}

/** Renew this long before the token runs out, so no call carries a token about to expire. */
const EARLY_MS = 60_000;

export class KivraToken {
  private current: { readonly token: string; readonly untilMs: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(
    private readonly url: string,
    private readonly clientId: string,
    private readonly clientSecret: string,
    private readonly timeoutMs: number,
    private readonly now: () => number,
  ) {}

  /** A token that is still good, fetched if needed. */
  get(signal: AbortSignal): Promise<string> {
    if (this.current && this.current.untilMs > this.now())
      return Promise.resolve(this.current.token);
    this.pending ??= this.fetch(signal).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Forgets the token (after a 401), so the next call fetches a new one. */
  invalidate(): void {
    this.current = undefined;
  }

  private async fetch(signal: AbortSignal): Promise<string> {
    const basic = Buffer.from(`${this.clientId}:${this.clientSecret}`).toString('base64');
    const res = await fetch(this.url, {
      method: 'POST',
      headers: {
        authorization: `Basic ${basic}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: 'grant_type=client_credentials',
      signal: AbortSignal.any([signal, AbortSignal.timeout(this.timeoutMs)]),
    });
    const text = await res.text();
    if (res.status !== 200)
      throw new KivraAuthError(
        `Kivra auth answered HTTP ${res.status}${res.headers.get('x-error-code') ? ` ${res.headers.get('x-error-code')}` : ''}`,
      );
    let body: { access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new KivraAuthError('Kivra auth answered 200 without JSON');
    }
    if (typeof body.access_token !== 'string' || body.access_token === '')
      throw new KivraAuthError('Kivra auth answered 200 without an access_token');
    const ttlMs = typeof body.expires_in === 'number' ? body.expires_in * 1000 : 0;
    this.current = {
      token: body.access_token,
      untilMs: this.now() + Math.max(0, ttlMs - Math.min(EARLY_MS, ttlMs / 10)),
    };
    return body.access_token;
  }
}
