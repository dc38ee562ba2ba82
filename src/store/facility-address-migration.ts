/**
 * The same DDL step on both databases: a facility's optional postal address
 * (`postal_address`, JSON text `{street, postalCode, city}`, NULL when none),
 * which Kivra letters show as the booking's location.
 */
export const FACILITY_POSTAL_ADDRESS_SQL = `
ALTER TABLE facilities ADD COLUMN postal_address TEXT;
`;
