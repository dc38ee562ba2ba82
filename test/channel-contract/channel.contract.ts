/**
 * The behaviour every outbound {@link Channel} must show, whatever its
 * protocol: how it classifies what the target answers, against a fake HTTP
 * server on loopback that answers as each case needs.
 *
 * A channel plugs in with one runner file, `test/channel-contract/<name>.test.ts`:
 *
 * ```ts
 * describeChannel('kivra', {
 *   makeChannel: ({ url, timeoutMs }) => kivra.createChannel({ ...testConfig, url, timeoutMs })!,
 *   batch: () => [claimed(aMessage())],             // what the outbox would hand it
 *   answers: {
 *     delivered: { status: 201, body: '{"id":"x"}' }, // what its target says to "taken"
 *     permanent: { status: 400, body: '{"error":"bad recipient"}' },
 *   },
 *   checkRequest: (request) => assertKivraPayload(request.body),
 * });
 * ```
 *
 * A channel may answer for the whole batch or message by message (`each`):
 * the suite checks what the dispatcher will do with every message.
 *
 * "A request the fake server answers": the channel is aimed at the fake
 * server's URL (`makeChannel` gets it, with a short timeout); `batch` gives
 * messages as claimed from the outbox; `answers` give, per outcome, the HTTP
 * status, headers and body the real target would send. The suite itself
 * adds the cases every channel shares: a 503 with `Retry-After`, a 500, a
 * refused connection, a target that never answers (timeout) and a call the
 * dispatcher gives up on (abort signal). `checkRequest` sees every request
 * the fake server received (validate the wire format there, e.g. against the
 * national XSD).
 *
 * @module
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Channel, ChannelResult, SingleChannelResult } from '../../src/channels/channel.ts';
import type { ClaimedMessage } from '../../src/outbox/outbox-store.ts';

/** One answer of the fake server. */
export interface FakeAnswer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** A request as the fake server received it. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export interface ChannelContractOptions {
  /**
   * The channel under test, aimed at the fake server. `timeoutMs` is the
   * longest it may wait for an answer (the suite's timeout case hangs).
   */
  makeChannel(target: { readonly url: string; readonly timeoutMs: number }): Channel;
  /** A batch to deliver, as the outbox hands it out (at most the channel's batch size). */
  batch(): ClaimedMessage[];
  /** What the target answers when it takes the batch, and when it refuses it for good. */
  readonly answers: { readonly delivered: FakeAnswer; readonly permanent: FakeAnswer };
  /** Person ids the batch holds in clear: no result reason may repeat them. */
  readonly personIds?: readonly string[];
  /** Checks each request the fake server received (wire format, headers). */
  checkRequest?(request: ReceivedRequest): void;
}

/** What the fake server does with the next request. */
type Behaviour = FakeAnswer | 'hang';

/** The channel's timeout: generous for answered calls (a loaded machine), short where the server hangs. */
const ANSWERED_TIMEOUT_MS = 10_000;
const HANG_TIMEOUT_MS = 300;

/** Runs the shared channel cases for one channel. */
export function describeChannel(name: string, options: ChannelContractOptions): void {
  void describe(`Channel contract: ${name}`, () => {
    let server: Server;
    let url: string;
    let behaviour: Behaviour;
    let received: ReceivedRequest[];
    /** Requests whose connection closed before the server answered. */
    let abandoned: number;
    let channel: Channel;

    before(async () => {
      server = createServer((req: IncomingMessage, res: ServerResponse) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          received.push({
            method: req.method ?? '',
            path: req.url ?? '',
            headers: req.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          });
          if (behaviour === 'hang') {
            res.on('close', () => (abandoned += 1));
            return;
          }
          res.writeHead(behaviour.status, behaviour.headers ?? {});
          res.end(behaviour.body ?? '');
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    });
    after(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    const start = (next: Behaviour) => {
      behaviour = next;
      received = [];
      abandoned = 0;
      channel = options.makeChannel({
        url,
        timeoutMs: next === 'hang' ? HANG_TIMEOUT_MS : ANSWERED_TIMEOUT_MS,
      });
    };
    afterEach(() => channel.close?.());

    let batch: ClaimedMessage[];
    /** Delivers a fresh batch; the outcome per message, whether the channel answered for the batch or each message. */
    const deliver = async (signal = new AbortController().signal) => {
      batch = options.batch();
      return perMessage(await channel.deliver(batch, signal), batch);
    };
    /** Every request was well-formed, and no reason repeats a person id. */
    const checkWire = (outcomes: readonly SingleChannelResult[]) => {
      for (const request of received) options.checkRequest?.(request);
      for (const outcome of outcomes)
        if ('reason' in outcome)
          for (const id of options.personIds ?? [])
            assert.ok(!outcome.reason.includes(id), outcome.reason);
    };
    const kinds = (outcomes: readonly SingleChannelResult[]) => outcomes.map((o) => o.kind);
    const everyOne = (kind: SingleChannelResult['kind']) => batch.map(() => kind);

    it('reports delivered when the target takes the batch, after one request', async () => {
      start(options.answers.delivered);
      const outcomes = await deliver();
      assert.deepEqual(kinds(outcomes), everyOne('delivered'));
      assert.equal(received.length, 1);
      checkWire(outcomes);
    });

    it('reports a permanent refusal with a reason, for the dispatcher to dead-letter', async () => {
      start(options.answers.permanent);
      const outcomes = await deliver();
      assert.deepEqual(kinds(outcomes), everyOne('permanent'));
      for (const outcome of outcomes) assert.ok('reason' in outcome && outcome.reason.length > 0);
      assert.equal(received.length, 1);
      checkWire(outcomes);
    });

    it('asks to retry no sooner than a 503 answer’s Retry-After', async () => {
      start({ status: 503, headers: { 'Retry-After': '7' }, body: 'Service Unavailable' });
      const outcomes = await deliver();
      assert.deepEqual(kinds(outcomes), everyOne('retry'));
      for (const outcome of outcomes)
        assert.equal(outcome.kind === 'retry' && outcome.afterMs, 7_000);
      checkWire(outcomes);
    });

    it('asks to retry after a 500 with no hint of when', async () => {
      start({ status: 500, body: 'Internal Server Error' });
      const outcomes = await deliver();
      assert.deepEqual(kinds(outcomes), everyOne('retry'));
      for (const outcome of outcomes)
        assert.equal(outcome.kind === 'retry' ? outcome.afterMs : 'not a retry', undefined);
      checkWire(outcomes);
    });

    it('asks to retry when the target cannot be reached', async () => {
      start(options.answers.delivered);
      channel.close?.();
      // A port that was just free: nothing listens there.
      const probe = createServer();
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      const port = (probe.address() as AddressInfo).port;
      await new Promise((resolve) => probe.close(resolve));
      channel = options.makeChannel({
        url: `http://127.0.0.1:${port}/`,
        timeoutMs: ANSWERED_TIMEOUT_MS,
      });
      const outcomes = await deliver();
      assert.deepEqual(kinds(outcomes), everyOne('retry'));
      checkWire(outcomes);
    });

    it('gives up on a target that never answers and asks to retry', async () => {
      start('hang');
      const outcomes = await deliver();
      assert.deepEqual(kinds(outcomes), everyOne('retry'));
      assert.equal(received.length, 1);
      await waitFor(() => abandoned === 1, 'the hung request was not closed by the channel');
      checkWire(outcomes);
    });

    it('drops the call when the dispatcher aborts it, and asks to retry', async () => {
      start('hang');
      const controller = new AbortController();
      const pending = deliver(controller.signal);
      await waitFor(() => received.length === 1, 'the request never reached the server');
      controller.abort();
      // Never thrown: the dispatcher would count a throw as a passing failure anyway.
      assert.deepEqual(kinds(await pending), everyOne('retry'));
      await waitFor(() => abandoned === 1, 'the aborted request was left open');
    });
  });
}

/** What the dispatcher will do with each message of `batch` (an `each` result answers per message). */
function perMessage(
  result: ChannelResult,
  batch: readonly ClaimedMessage[],
): SingleChannelResult[] {
  if (result.kind !== 'each') return batch.map(() => result);
  return batch.map(
    (message) => result.results.get(message.id) ?? { kind: 'retry', reason: 'no result' },
  );
}

/** Polls `done` until it holds, failing after a couple of seconds. */
async function waitFor(done: () => boolean, message: string): Promise<void> {
  const deadline = Date.now() + 3_000;
  while (!done()) {
    if (Date.now() > deadline) assert.fail(message);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
