import type { Database } from '../data';

let installed: Database | undefined;

/** The database that charts over a table name or a query read by default; the kernel installs its own. */
export function setChartDatabase(db: Database | null): void {
  installed = db ?? undefined;
}

/** The database `builder` queries: the one its options give, else the installed one. */
export function chartDatabase(builder: string, given: Database | undefined): Database {
  const db = given ?? installed;
  if (!db)
    throw new Error(
      `${builder}: a table name or query needs a DuckDB database; ` +
        'pass { db }, or run the cell in a RecLab kernel (its `db` is used).',
    );
  return db;
}
