/**
 * The same DDL step on both databases: a time type's optional cancellation
 * text (`cancel_info`, NULL when none), which CancelBooking returns with
 * resultCode INFO (issue 12 item 10).
 */
export const TIME_TYPE_CANCEL_INFO_SQL = `
ALTER TABLE time_types ADD COLUMN cancel_info TEXT;
`;
