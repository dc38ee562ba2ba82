/**
 * Delivers queued letters to Kivra (issue 13, channels.md §1): asks
 * `usermatch/ssn` once for every recipient of a batch that is not
 * remembered, skips those Kivra does not know, and posts each remaining
 * content's stored bytes to `/v2/tenant/{tenantKey}/content`.
 *
 * Rules kept here, because they depend on the message:
 * - passing failures are retried until the visit starts (or, for a letter
 *   without a time, for three days), then the letter is a dead letter;
 * - a letter whose visit has already started when it is first tried is
 *   skipped: a booking in the past is no news;
 * - a body over 1 MB is refused before it is sent.
 * The 50-per-minute-per-recipient limit is kept by the outbox: one key per
 * recipient, at most one delivery per {@link KIVRA_KEY_GAP_MS}.
 *
 * @module
 */
import type { ClaimedMessage } from '../../outbox/outbox-store.ts';
import type { Channel, ChannelResult } from '../channel.ts';
import { ClientCredentialsToken, TokenRequestError } from '../http/client-credentials-token.ts';
import { retryAfterMs } from '../http/retry-after.ts';
import { checkSubjectOfCareId } from '../../domain/personnummer.ts';
import {
  classifyContentAnswer,
  describeAnswer,
  NOT_A_KIVRA_USER,
  safeReason,
  type KivraAnswer,
  type KivraOutcome,
} from './kivra-answer.ts';
import { KIVRA_CHANNEL, type KivraOutboxPayload } from './kivra-listener.ts';
import { UsermatchCache, type UsermatchCacheOptions } from './usermatch-cache.ts';

/** Kivra refuses bigger contents (channels.md §1). */
export const KIVRA_MAX_BODY_BYTES = 1024 * 1024;

/** Letters per delivery round: their recipients are asked in one usermatch call. */
export const KIVRA_BATCH_SIZE = 20;

/** 60 s / 50: Kivra takes at most 50 contents per recipient per minute. */
export const KIVRA_KEY_GAP_MS = 1_200;

/** Where Kivra is and who we are there. */
export interface KivraApiConfig {
  /** API base, e.g. `https://sender.api.kivra.com`. */
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly tenantKey: string;
  /** Give up on one HTTP call after this long (then retried). */
  readonly timeoutMs: number;
  /** How long the dispatcher's claim on a batch lasts (ms); the dispatcher's default when absent. */
  readonly leaseMs?: number;
}

export interface KivraChannelOptions {
  /** Letters per delivery round (recipients asked in one usermatch call). */
  readonly batchSize?: number;
  /** Override of the gap between two letters to one recipient (tests shorten it). */
  readonly keyGapMs?: number;
  readonly usermatch?: UsermatchCacheOptions;
  /** Where bearer tokens come from; a {@link ClientCredentialsToken} on `{url}/v1/auth` by default. */
  readonly token?: Pick<ClientCredentialsToken, 'get' | 'invalidate'>;
  /** Remembered usermatch answers; a fresh {@link UsermatchCache} by default. */
  readonly usermatchCache?: UsermatchCache;
  /** Clock; `Date.now` by default. */
  readonly now?: () => number;
}

const withTimeout = (signal: AbortSignal, ms: number) =>
  AbortSignal.any([signal, AbortSignal.timeout(ms)]);

/** Why a call did not get an answer, as a retry reason. */
function transportFailure(
  err: unknown,
  timeoutMs: number,
): Extract<KivraOutcome, { kind: 'retry' }> {
  const name = (err as { name?: string }).name;
  if (name === 'TimeoutError') return { kind: 'retry', reason: `no answer within ${timeoutMs} ms` };
  // Refused credentials too: the letters wait (until their visits start) while
  // an operator fixes KIVRA_CLIENT_ID/SECRET, instead of all becoming dead letters.
  if (err instanceof TokenRequestError)
    return { kind: 'retry', reason: safeReason(`Kivra auth: ${err.message}`) };
  const cause = (err as { cause?: { code?: string } }).cause?.code;
  return {
    kind: 'retry',
    reason: safeReason(`transport error: ${cause ?? (err as Error).message ?? String(err)}`),
  };
}

/** The `kivra` channel. */
export class KivraChannel implements Channel {
  readonly name = KIVRA_CHANNEL;
  readonly batchSize: number;
  readonly keyGapMs: number;
  readonly leaseMs: number | undefined;
  private readonly base: string;
  private readonly token: Pick<ClientCredentialsToken, 'get' | 'invalidate'>;
  private readonly cache: UsermatchCache;
  private readonly now: () => number;

  constructor(
    private readonly config: KivraApiConfig,
    options: KivraChannelOptions = {},
  ) {
    this.base = config.url.replace(/\/+$/, '');
    this.batchSize = Math.max(1, options.batchSize ?? KIVRA_BATCH_SIZE);
    this.keyGapMs = options.keyGapMs ?? KIVRA_KEY_GAP_MS;
    this.leaseMs = config.leaseMs;
    this.cache = options.usermatchCache ?? new UsermatchCache(options.usermatch);
    this.now = options.now ?? Date.now;
    this.token =
      options.token ??
      new ClientCredentialsToken({
        tokenUrl: `${this.base}/v1/auth`,
        clientId: config.clientId,
        clientSecret: config.clientSecret,
        timeoutMs: config.timeoutMs,
        now: this.now,
      });
  }

  async deliver(messages: readonly ClaimedMessage[], signal: AbortSignal): Promise<ChannelResult> {
    return { kind: 'each', results: await this.deliverEach(messages, signal) };
  }

  /** Delivers a batch and answers for each message by id. */
  async deliverEach(
    messages: readonly ClaimedMessage[],
    signal: AbortSignal,
  ): Promise<Map<number, KivraOutcome>> {
    const outcomes = new Map<number, KivraOutcome>();
    const due: { message: ClaimedMessage; payload: KivraOutboxPayload }[] = [];
    const nowMs = this.now();
    for (const message of messages) {
      const payload = message.payload as KivraOutboxPayload;
      if (nowMs >= payload.giveUpAtUtcMs)
        outcomes.set(
          message.id,
          message.attempts > 1
            ? { kind: 'permanent', reason: 'the visit started before Kivra took the letter' }
            : { kind: 'skipped', reason: 'the visit has already started' },
        );
      else if (checkSubjectOfCareId(payload.ssn) || !/^\d{12}$/.test(payload.ssn))
        outcomes.set(message.id, {
          kind: 'permanent',
          reason: 'the recipient is not a 12-digit personnummer',
        });
      else if (Buffer.byteLength(payload.body) > KIVRA_MAX_BODY_BYTES)
        outcomes.set(message.id, {
          kind: 'permanent',
          reason: `the content is larger than Kivra's ${KIVRA_MAX_BODY_BYTES} bytes`,
        });
      else due.push({ message, payload });
    }
    if (due.length === 0) return outcomes;

    const users = await this.usersAmong(
      due.map((d) => d.payload.ssn),
      signal,
    );
    if (users.kind !== 'known') {
      for (const { message } of due) outcomes.set(message.id, users);
      return this.capped(outcomes, messages);
    }
    await Promise.all(
      due.map(async ({ message, payload }) => {
        if (!users.users.has(payload.ssn)) {
          outcomes.set(message.id, { kind: 'skipped', reason: NOT_A_KIVRA_USER });
          return;
        }
        const outcome = await this.send(payload.body, signal);
        if (outcome.kind === 'skipped') this.cache.set(payload.ssn, false, this.now());
        outcomes.set(message.id, outcome);
      }),
    );
    return this.capped(outcomes, messages);
  }

  /** A retry past the give-up time is a dead letter instead. */
  private capped(
    outcomes: Map<number, KivraOutcome>,
    messages: readonly ClaimedMessage[],
  ): Map<number, KivraOutcome> {
    const nowMs = this.now();
    for (const message of messages) {
      const outcome = outcomes.get(message.id);
      const { giveUpAtUtcMs } = message.payload as KivraOutboxPayload;
      if (outcome?.kind === 'retry' && nowMs + (outcome.afterMs ?? 0) >= giveUpAtUtcMs)
        outcomes.set(message.id, {
          kind: 'permanent',
          reason: `gave up: the visit starts before Kivra can take the letter; last failure: ${outcome.reason}`,
        });
    }
    return outcomes;
  }

  /** Which of these recipients are Kivra users: remembered answers first, one usermatch call for the rest. */
  private async usersAmong(
    ssns: readonly string[],
    signal: AbortSignal,
  ): Promise<{ kind: 'known'; users: Set<string> } | Exclude<KivraOutcome, { kind: 'delivered' }>> {
    const nowMs = this.now();
    const users = new Set<string>();
    const ask = new Set<string>();
    for (const ssn of ssns) {
      const known = this.cache.get(ssn, nowMs);
      if (known === undefined) ask.add(ssn);
      else if (known) users.add(ssn);
    }
    if (ask.size === 0) return { kind: 'known', users };
    const list = [...ask];
    let answer: KivraAnswer;
    try {
      answer = await this.call(
        `/v2/tenant/${encodeURIComponent(this.config.tenantKey)}/usermatch/ssn`,
        JSON.stringify({ list }),
        signal,
      );
    } catch (err) {
      return transportFailure(err, this.config.timeoutMs);
    }
    if (answer.status !== 200) {
      const outcome = classifyContentAnswer(
        answer,
        retryAfterMs(answer.header('retry-after'), nowMs),
      );
      const reason = `usermatch: ${describeAnswer(answer)}`;
      return outcome.kind === 'retry' ? { ...outcome, reason } : { kind: 'permanent', reason };
    }
    let matched: unknown;
    try {
      matched = (JSON.parse(answer.body) as { list?: unknown }).list;
    } catch {
      matched = undefined;
    }
    if (!Array.isArray(matched))
      return { kind: 'retry', reason: 'usermatch answered 200 without a list' };
    const eligible = new Set(matched.filter((s): s is string => typeof s === 'string'));
    const at = this.now();
    for (const ssn of list) {
      this.cache.set(ssn, eligible.has(ssn), at);
      if (eligible.has(ssn)) users.add(ssn);
    }
    return { kind: 'known', users };
  }

  private async send(body: string, signal: AbortSignal): Promise<KivraOutcome> {
    let answer: KivraAnswer;
    try {
      answer = await this.call(
        `/v2/tenant/${encodeURIComponent(this.config.tenantKey)}/content`,
        body,
        signal,
      );
    } catch (err) {
      return transportFailure(err, this.config.timeoutMs);
    }
    return classifyContentAnswer(answer, retryAfterMs(answer.header('retry-after'), this.now()));
  }

  /** POSTs JSON with the bearer token; on a 401 fetches a new token once and asks again. */
  private async call(path: string, body: string, signal: AbortSignal): Promise<KivraAnswer> {
    const post = async () => {
      const token = await this.token.get(signal);
      const res = await fetch(`${this.base}${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body,
        signal: withTimeout(signal, this.config.timeoutMs),
      });
      return {
        status: res.status,
        body: await res.text(),
        header: (n: string) => res.headers.get(n) ?? undefined,
      };
    };
    const first = await post();
    if (first.status !== 401) return first;
    this.token.invalidate();
    return post();
  }
}
