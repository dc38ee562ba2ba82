/**
 * The `webhook_subscriptions` table's SQL, shared by SQLite and PostgreSQL:
 * one text per statement with numbered parameters (`$1`…; SQLite reads them
 * as well), and the mapping between rows and subscriptions. Lists are kept
 * as JSON text, flags as integers 0/1, times as UTC milliseconds, so both
 * databases store the same values.
 *
 * @module
 */
import type { WebhookFormat } from './webhook-body.ts';
import type { WebhookEventType } from './webhook-event.ts';
import type { StoredWebhookSubscription } from './webhook-subscription.ts';

/** The migration step's DDL (the same for both databases). */
export const CREATE_WEBHOOK_SUBSCRIPTIONS = `
CREATE TABLE webhook_subscriptions (
  id TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  facilities TEXT,
  events TEXT NOT NULL,
  format TEXT NOT NULL CHECK (format IN ('standard', 'healthengine')),
  include_personal_data INTEGER NOT NULL CHECK (include_personal_data IN (0, 1)),
  enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  disabled_reason TEXT,
  created_at_utc_ms BIGINT NOT NULL,
  failing_since_utc_ms BIGINT,
  sealed_secret TEXT NOT NULL,
  sealed_previous_secret TEXT,
  previous_secret_until_utc_ms BIGINT
)`;

const COLUMNS = `id, url, facilities, events, format, include_personal_data, enabled,
  disabled_reason, created_at_utc_ms, failing_since_utc_ms, sealed_secret,
  sealed_previous_secret, previous_secret_until_utc_ms`;

export const WEBHOOK_SQL = {
  insert: `INSERT INTO webhook_subscriptions (${COLUMNS})
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
  list: `SELECT ${COLUMNS} FROM webhook_subscriptions ORDER BY created_at_utc_ms, id`,
  listEnabled: `SELECT ${COLUMNS} FROM webhook_subscriptions WHERE enabled = 1 ORDER BY created_at_utc_ms, id`,
  get: `SELECT ${COLUMNS} FROM webhook_subscriptions WHERE id = $1`,
  count: `SELECT COUNT(*) AS n FROM webhook_subscriptions`,
  remove: `DELETE FROM webhook_subscriptions WHERE id = $1`,
  setSecrets: `UPDATE webhook_subscriptions
    SET sealed_secret = $2, sealed_previous_secret = $3, previous_secret_until_utc_ms = $4
    WHERE id = $1`,
  // Enabling forgets the failing streak, so the 5-day rule starts afresh.
  setEnabled: `UPDATE webhook_subscriptions
    SET enabled = $2, disabled_reason = $3,
        failing_since_utc_ms = CASE WHEN $2 = 1 THEN NULL ELSE failing_since_utc_ms END
    WHERE id = $1`,
  markFailing: `UPDATE webhook_subscriptions
    SET failing_since_utc_ms = COALESCE(failing_since_utc_ms, $2)
    WHERE id = $1 RETURNING failing_since_utc_ms`,
  clearFailing: `UPDATE webhook_subscriptions SET failing_since_utc_ms = NULL WHERE id = $1`,
} as const;

/** A row as either driver returns it (PostgreSQL gives BIGINT as text). */
export interface WebhookSubscriptionRow {
  id: string;
  url: string;
  facilities: string | null;
  events: string;
  format: string;
  include_personal_data: number;
  enabled: number;
  disabled_reason: string | null;
  created_at_utc_ms: number | string;
  failing_since_utc_ms: number | string | null;
  sealed_secret: string;
  sealed_previous_secret: string | null;
  previous_secret_until_utc_ms: number | string | null;
}

const optionalNumber = (v: number | string | null) => (v === null ? undefined : Number(v));

export function toSubscription(row: WebhookSubscriptionRow): StoredWebhookSubscription {
  return {
    id: row.id,
    url: row.url,
    facilities: row.facilities === null ? undefined : (JSON.parse(row.facilities) as string[]),
    events: JSON.parse(row.events) as WebhookEventType[],
    format: row.format as WebhookFormat,
    includePersonalData: row.include_personal_data === 1,
    enabled: row.enabled === 1,
    disabledReason: row.disabled_reason ?? undefined,
    createdAtUtcMs: Number(row.created_at_utc_ms),
    failingSinceUtcMs: optionalNumber(row.failing_since_utc_ms),
    sealedSecret: row.sealed_secret,
    sealedPreviousSecret: row.sealed_previous_secret ?? undefined,
    previousSecretUntilUtcMs: optionalNumber(row.previous_secret_until_utc_ms),
  };
}

/** The parameters of {@link WEBHOOK_SQL.insert}, in column order. */
export function insertParams(s: StoredWebhookSubscription): (string | number | null)[] {
  return [
    s.id,
    s.url,
    s.facilities === undefined ? null : JSON.stringify(s.facilities),
    JSON.stringify(s.events),
    s.format,
    s.includePersonalData ? 1 : 0,
    s.enabled ? 1 : 0,
    s.disabledReason ?? null,
    s.createdAtUtcMs,
    s.failingSinceUtcMs ?? null,
    s.sealedSecret,
    s.sealedPreviousSecret ?? null,
    s.previousSecretUntilUtcMs ?? null,
  ];
}
