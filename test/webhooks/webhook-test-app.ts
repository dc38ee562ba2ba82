/**
 * The real app with the webhooks channel switched on (loopback allowed, a
 * short retry schedule), its dispatchers running on short polls and the
 * admin API on the SOAP listener; receivers are simulators on 127.0.0.1.
 */
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { enableChannel } from '../../src/channels/channel-module.ts';
import type { Resolver } from '../../src/channels/webhooks/address-guard.ts';
import { webhooks } from '../../src/channels/webhooks/index.ts';
import { readWebhooksConfig } from '../../src/channels/webhooks/webhooks-config.ts';
import {
  startWebhookReceiver,
  type WebhookReceiverSimulator,
} from '../../src/dev/webhook-receiver-simulator.ts';
import { createLogger } from '../../src/logging/logger.ts';
import type { OutboxMessageView } from '../../src/outbox/outbox-store.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

export const ADMIN_TOKEN = 'webhook-test-admin-token-0123';

export interface WebhookTestOptions {
  /** `WEBHOOK_RETRY_DELAYS`; 0.2 s steps by default. */
  readonly retryDelays?: string;
  /** `WEBHOOK_ALLOW_LOOPBACK`; true by default (receivers are on loopback). */
  readonly allowLoopback?: boolean;
  /** The address guard's resolver. */
  readonly resolve?: Resolver;
}

export interface Subscribed {
  readonly id: string;
  readonly secret: string;
  /** A receiver of its own, checking signatures with the secret. */
  readonly receiver: WebhookReceiverSimulator;
}

export interface WebhookTestApp extends TestApp {
  admin(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: Record<string, unknown>; text: string }>;
  /** Subscribes a fresh receiver through the admin API. */
  subscribe(request: Record<string, unknown>): Promise<Subscribed>;
  /** Removes a subscription through the admin API. */
  remove(id: string): Promise<void>;
  /** Every webhooks outbox message as it stands. */
  webhookMessages(): Promise<OutboxMessageView[]>;
  /** The app's log lines so far, parsed (person ids already masked by the logger). */
  logLines(): Record<string, unknown>[];
  /** Waits until no webhooks message is pending or in flight. */
  drained(timeoutMs?: number): Promise<void>;
}

export async function startWebhookTestApp(
  options: WebhookTestOptions = {},
): Promise<WebhookTestApp> {
  const config = {
    ...readWebhooksConfig({
      WEBHOOK_ALLOW_LOOPBACK: String(options.allowLoopback ?? true),
      WEBHOOK_RETRY_DELAYS: options.retryDelays ?? '0.2s,0.2s,0.2s,0.2s,0.2s',
      DATABASE_URL: 'sqlite::memory:',
    }),
    ...(options.resolve ? { resolve: options.resolve } : {}),
  };
  const lines: Record<string, unknown>[] = [];
  const capture = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  // The runner searches TIDBOK_TEST_LOG_DIR's files for person ids in clear: these lines too.
  const dir = process.env['TIDBOK_TEST_LOG_DIR'];
  const logger = createLogger({
    level: 'debug',
    destination: pino.multistream([
      { stream: capture, level: 'debug' },
      ...(dir
        ? [
            {
              stream: pino.destination({
                dest: join(dir, `webhook-app-${process.pid}.log`),
                sync: true,
                append: true,
              }),
              level: 'debug' as const,
            },
          ]
        : []),
    ]),
  });
  const t = await startTestApp({
    logger,
    adminToken: ADMIN_TOKEN,
    channels: [enableChannel(webhooks, config)],
    dispatch: { pollIntervalMs: 25 },
  });
  t.app.startDispatcher();
  const receivers: WebhookReceiverSimulator[] = [];

  const admin: WebhookTestApp['admin'] = async (method, path, body) => {
    const res = await fetch(`${t.url}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${ADMIN_TOKEN}`,
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // an empty or non-JSON answer
    }
    return { status: res.status, json, text };
  };

  const webhookMessages = async () => {
    const views: OutboxMessageView[] = [];
    for (const m of await t.app.store.listOutbox())
      if (m.channel === 'webhooks') {
        const view = await t.app.outbox.findMessage(m.id);
        if (view) views.push(view);
      }
    return views;
  };

  return {
    ...t,
    admin,
    webhookMessages,
    logLines: () => lines,
    async subscribe(request) {
      const receiver = await startWebhookReceiver();
      receivers.push(receiver);
      const res = await admin('POST', '/admin/webhooks', { url: receiver.url, ...request });
      if (res.status !== 201) throw new Error(`subscribing failed: ${res.status} ${res.text}`);
      const { id, secret } = res.json as { id: string; secret: string };
      receiver.useSecrets([secret]);
      return { id, secret, receiver };
    },
    async remove(id) {
      const res = await admin('DELETE', `/admin/webhooks/${id}`);
      if (res.status !== 200) throw new Error(`removing failed: ${res.status} ${res.text}`);
    },
    async drained(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const open = (await webhookMessages()).filter(
          (m) => m.status === 'pending' || m.status === 'in_flight',
        );
        if (open.length === 0) return;
        if (Date.now() > deadline) throw new Error(`webhooks not drained: ${open.length} open`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async close() {
      await t.close();
      for (const r of receivers) await r.close();
    },
  };
}
