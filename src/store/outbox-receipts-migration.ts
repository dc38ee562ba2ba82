/**
 * The same DDL step on both databases: what a target answered about a
 * delivery (`receipt`, JSON text, e.g. Kivra's `kivra-objkey`), and why a
 * channel chose not to send a message (`skip_reason`; its status is then
 * `skipped`, which blocks nothing and is pruned like a delivery).
 */
export const OUTBOX_RECEIPTS_SQL = `
ALTER TABLE outbox ADD COLUMN receipt TEXT;
ALTER TABLE outbox ADD COLUMN skip_reason TEXT;
`;
