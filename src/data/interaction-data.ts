import type { Database } from './database';
import { quoteIdentifier } from './database';
import type { Table } from './table';

/**
 * What every importer gives back, in one vocabulary: `interactions` has columns `user`,
 * `item` and, where the format has them, `rating`, `timestamp` (seconds) and others;
 * `items` has `item`, maybe `title`, and feature columns; `users` has `user` and feature
 * columns. `multiValued` names the feature columns holding several values and their
 * separator (MovieLens genres: '|').
 */
export interface InteractionData {
  name: string;
  interactions: Table;
  items: Table | null;
  users: Table | null;
  multiValued: Record<string, string>;
  /** The DuckDB tables the importer created, for SQL cells. */
  tables: string[];
}

/** Reads back the tables an importer created, in the shape of {@link InteractionData}. */
export async function readInteractionData(
  db: Database,
  name: string,
  tables: { interactions: string; items?: string; users?: string },
  multiValued: Record<string, string>,
): Promise<InteractionData> {
  const all = async (t: string | undefined) => (t ? db.query(`SELECT * FROM ${quoteIdentifier(t)}`) : null);
  return {
    name,
    interactions: (await all(tables.interactions))!,
    items: await all(tables.items),
    users: await all(tables.users),
    multiValued,
    tables: Object.values(tables).filter((t): t is string => t !== undefined),
  };
}
