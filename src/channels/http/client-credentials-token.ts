/**
 * An OAuth 2.0 client-credentials bearer token (RFC 6749 §4.4), fetched when
 * first needed and kept until shortly before it expires, for channels whose
 * target wants one (Kivra, the FHIR portal). One request at a time: callers
 * that ask while a token is being fetched share that request.
 */

export interface ClientCredentialsOptions {
  /** The token endpoint (Kivra: `{KIVRA_URL}/v1/auth`). */
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /**
   * How the client authenticates: HTTP Basic (`basic`, RFC 6749 §2.3.1's
   * preferred way, and Kivra's) or `client_id`/`client_secret` in the form
   * body (`body`).
   */
  readonly clientAuth?: 'basic' | 'body';
  /** Optional `scope` form field. */
  readonly scope?: string;
  /** Renew this long before `expires_in` runs out (ms); 60 s by default. */
  readonly refreshMarginMs?: number;
  /** Longest wait for the token endpoint (ms); 10 s by default. */
  readonly timeoutMs?: number;
  /** Assumed lifetime when the answer has no `expires_in` (s); 300 by default. */
  readonly defaultExpiresInS?: number;
  readonly now?: () => number;
}

/**
 * The token endpoint did not give a token. `retryable` says whether trying
 * later may help (transport error, timeout, 5xx, 429) or not (credentials
 * refused: an operator must fix the settings). Never holds the secret.
 */
export class TokenRequestError extends Error {
  override readonly name = 'TokenRequestError';
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
  }
}

export class ClientCredentialsToken {
  readonly #options: ClientCredentialsOptions;
  readonly #now: () => number;
  #token: { readonly value: string; readonly renewAtUtcMs: number } | undefined;
  #pending: Promise<string> | undefined;
  /** How many tokens were fetched (metrics, tests). */
  fetched = 0;

  constructor(options: ClientCredentialsOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** A valid bearer token, from the cache or freshly fetched. */
  async get(signal?: AbortSignal): Promise<string> {
    if (this.#token && this.#now() < this.#token.renewAtUtcMs) return this.#token.value;
    this.#pending ??= this.#fetch(signal).finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  /** Forgets the token (call after a 401), so the next {@link get} fetches a new one. */
  invalidate(): void {
    this.#token = undefined;
  }

  async #fetch(signal: AbortSignal | undefined): Promise<string> {
    const o = this.#options;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (o.scope) form.set('scope', o.scope);
    const headers: Record<string, string> = {
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'application/json',
    };
    if ((o.clientAuth ?? 'basic') === 'basic') {
      // RFC 6749 §2.3.1: each part form-encoded before the Basic encoding.
      const user = `${encodeURIComponent(o.clientId)}:${encodeURIComponent(o.clientSecret)}`;
      headers['Authorization'] = `Basic ${Buffer.from(user).toString('base64')}`;
    } else {
      form.set('client_id', o.clientId);
      form.set('client_secret', o.clientSecret);
    }
    const timeout = AbortSignal.timeout(o.timeoutMs ?? 10_000);
    let res: Response;
    try {
      res = await fetch(o.tokenUrl, {
        method: 'POST',
        headers,
        body: form.toString(),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        redirect: 'manual',
      });
    } catch (err) {
      throw new TokenRequestError(`token endpoint unreachable: ${(err as Error).message}`, true);
    }
    const text = await res.text();
    if (res.status !== 200)
      throw new TokenRequestError(
        `token endpoint answered HTTP ${res.status}`,
        res.status >= 500 || res.status === 429,
        res.status,
      );
    let body: { access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new TokenRequestError('token endpoint answered something that is not JSON', true, 200);
    }
    if (typeof body.access_token !== 'string' || body.access_token === '')
      throw new TokenRequestError('token endpoint answered without access_token', true, 200);
    const expiresInMs =
      (typeof body.expires_in === 'number' && body.expires_in > 0
        ? body.expires_in
        : (o.defaultExpiresInS ?? 300)) * 1000;
    // A short-lived token is renewed halfway, a long one a margin before its end.
    const margin = Math.min(o.refreshMarginMs ?? 60_000, expiresInMs / 2);
    this.#token = { value: body.access_token, renewAtUtcMs: this.#now() + expiresInMs - margin };
    this.fetched += 1;
    return body.access_token;
  }
}
