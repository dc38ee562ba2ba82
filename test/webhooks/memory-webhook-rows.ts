/**
 * Subscriptions kept in a Map, for unit tests of what sits on top of
 * `WebhookSubscriptionRows`; the SQLite and PostgreSQL implementations pass
 * the same contract suite.
 */
import type {
  StoredWebhookSubscription,
  WebhookSubscriptionRows,
} from '../../src/channels/webhooks/webhook-subscription.ts';

export class MemoryWebhookRows implements WebhookSubscriptionRows {
  readonly rows = new Map<string, StoredWebhookSubscription>();

  async insert(s: StoredWebhookSubscription) {
    if (this.rows.has(s.id)) throw new Error(`subscription ${s.id} exists`);
    this.rows.set(s.id, s);
  }
  async list() {
    return [...this.rows.values()];
  }
  /** What the store's `tx` reads for the listener. */
  readonly enabledOn = async () => [...this.rows.values()].filter((s) => s.enabled);
  async get(id: string) {
    return this.rows.get(id);
  }
  async count() {
    return this.rows.size;
  }
  async remove(id: string) {
    return this.rows.delete(id);
  }
  #patch(id: string, patch: Partial<StoredWebhookSubscription>) {
    const row = this.rows.get(id);
    if (row) this.rows.set(id, { ...row, ...patch });
    return row !== undefined;
  }
  async setSecrets(
    id: string,
    sealedSecret: string,
    sealedPreviousSecret: string | undefined,
    previousSecretUntilUtcMs: number | undefined,
  ) {
    return this.#patch(id, { sealedSecret, sealedPreviousSecret, previousSecretUntilUtcMs });
  }
  async setEnabled(id: string, enabled: boolean, disabledReason: string | undefined) {
    return this.#patch(id, {
      enabled,
      disabledReason,
      ...(enabled ? { failingSinceUtcMs: undefined } : {}),
    });
  }
  async markFailing(id: string, nowUtcMs: number) {
    const since = this.rows.get(id)?.failingSinceUtcMs ?? nowUtcMs;
    this.#patch(id, { failingSinceUtcMs: since });
    return since;
  }
  async clearFailing(id: string) {
    this.#patch(id, { failingSinceUtcMs: undefined });
  }
}
