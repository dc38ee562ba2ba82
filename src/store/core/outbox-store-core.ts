/**
 * The outbox dispatch verbs both databases carry out alike (see
 * `outbox-sql.ts` for the statements they share). A database supplies the
 * claim, the settling and the reads as driver calls.
 */
import { maskPersonIdsInText } from '../../domain/personnummer.ts';
import type {
  ClaimOptions,
  ClaimedMessage,
  DeliveryNote,
  OutboxMessageView,
  OutboxStatus,
  OutboxStore,
} from '../../outbox/outbox-store.ts';
import { outboxMessageView, type OutboxMessageRow } from '../outbox-message-view.ts';
import type { SettlementKind } from './outbox-sql.ts';
import {
  toClaimedMessage,
  toOutboxStatus,
  type ClaimRow,
  type DeadRow,
  type OutboxCountsRow,
} from './rows.ts';

/** One claim as a database carries it out (see {@link OutboxStore.claimBatch}). */
export interface Claim {
  readonly channel: string;
  readonly max: number;
  readonly nowUtcMs: number;
  readonly leaseUntilUtcMs: number;
  readonly owner: string;
  readonly keyGapMs: number;
}

/** Settles those of `ids` that `owner` still holds, setting the kind's columns to `values`. */
export interface Settlement {
  readonly ids: readonly number[];
  readonly owner: string;
  readonly kind: SettlementKind;
  readonly values: readonly (string | number | null)[];
}

/**
 * The outbox dispatch verbs that claim, read and settle alike in both
 * databases: claiming orders the claimed rows, settling masks person ids in
 * the error and picks the statement, status maps the counts and dead letters.
 */
export abstract class OutboxStoreCore implements OutboxStore {
  abstract retryDead(id: number | 'all'): Promise<number>;

  abstract pruneDelivered(beforeUtcMs: number): Promise<number>;

  /** Marks the claimable rows in flight for the claim's owner; `attempts` counts this claim. */
  protected abstract claimRows(claim: Claim): Promise<readonly ClaimRow[]>;

  protected abstract settle(settlement: Settlement): Promise<void>;

  /** The rows of the counts, dead-letter and skipped-count statements. */
  protected abstract statusRows(
    channel: string | undefined,
    nowUtcMs: number,
  ): Promise<{
    counts: OutboxCountsRow | undefined;
    dead: readonly DeadRow[];
    skipped: number | undefined;
  }>;

  /** The row of `findMessageSql`. */
  protected abstract messageRow(id: number): Promise<OutboxMessageRow | undefined>;

  // Typed by the interface, so its parameters are listed once, in OutboxStore.
  readonly claimBatch: OutboxStore['claimBatch'] = async (
    channel,
    max,
    nowUtcMs,
    leaseMs,
    owner,
    options: ClaimOptions = {},
  ): Promise<ClaimedMessage[]> => {
    if (max < 1) return [];
    const rows = await this.claimRows({
      channel,
      max,
      nowUtcMs,
      leaseUntilUtcMs: nowUtcMs + leaseMs,
      owner,
      keyGapMs: options.keyGapMs ?? 0,
    });
    // The dispatcher hands messages out oldest first; PostgreSQL's RETURNING keeps no order.
    return [...rows].sort((a, b) => a.id - b.id).map(toClaimedMessage);
  };

  async markDelivered(
    ids: readonly number[],
    owner: string,
    nowUtcMs: number,
    note?: DeliveryNote,
  ): Promise<void> {
    if (ids.length === 0) return;
    const skipped = note !== undefined && 'skipped' in note;
    await this.settle({
      ids,
      owner,
      kind: 'delivered',
      values: [
        skipped ? 'skipped' : 'delivered',
        nowUtcMs,
        note && 'receipt' in note ? JSON.stringify(note.receipt) : null,
        skipped ? maskPersonIdsInText(note.skipped) : null,
      ],
    });
  }

  async findMessage(id: number): Promise<OutboxMessageView | undefined> {
    const row = await this.messageRow(id);
    return row && outboxMessageView(row);
  }

  async markRetry(
    ids: readonly number[],
    owner: string,
    error: string,
    nextAttemptUtcMs: number,
  ): Promise<void> {
    const values = ['pending', nextAttemptUtcMs, maskPersonIdsInText(error)];
    if (ids.length > 0) await this.settle({ ids, owner, kind: 'retry', values });
  }

  async markDead(ids: readonly number[], owner: string, error: string): Promise<void> {
    const values = ['dead', maskPersonIdsInText(error)];
    if (ids.length > 0) await this.settle({ ids, owner, kind: 'dead', values });
  }

  async status(channel?: string, nowUtcMs: number = Date.now()): Promise<OutboxStatus> {
    const { counts, dead, skipped } = await this.statusRows(channel, nowUtcMs);
    return { ...toOutboxStatus(counts, dead, nowUtcMs), skipped: Number(skipped ?? 0) };
  }
}
