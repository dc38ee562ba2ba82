/** `{ key: value }` when value is defined, else `{}`: keeps optional fields truly absent. */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** HSA-ids and names compare case-insensitively (TKB-G §3.8); absent equals empty. */
export const sameId = (a: string | undefined, b: string | undefined): boolean =>
  (a ?? '').toLowerCase() === (b ?? '').toLowerCase();
