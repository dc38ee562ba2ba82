/** The `--db` option every store command takes, and its help line. */
export const dbOption = { db: { type: 'string' } } as const;
export const dbHelp =
  '  --db <url>        store: a SQLite path or sqlite: URL\n' +
  '                    (default: $DATABASE_URL, else $TIDBOK_DB, else ./data/tidbok.db)';
