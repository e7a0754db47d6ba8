/** Taobao UserBehavior.csv (Tianchi): user, item, category, behaviour (pv, buy, cart, fav), timestamp; no header. */
import { createTables, readCsvSql } from './csv-file';
import { quoteIdentifier, quoteLiteral, type Database } from './database';
import { readInteractionData, type InteractionData } from './interaction-data';

const BEHAVIOURS: readonly string[] = ['pv', 'buy', 'cart', 'fav'];

export interface TaobaoOptions {
  /** DuckDB table name (default 'taobao'); item categories go to `<table>_items`. */
  table?: string;
  /** Keep only these behaviours (default all). */
  behaviours?: readonly ('pv' | 'buy' | 'cart' | 'fav')[];
}

export async function importTaobao(db: Database, file: string, options: TaobaoOptions = {}): Promise<InteractionData> {
  const table = options.table ?? 'taobao';
  const layout = {
    columns: { user: 'INTEGER', item: 'INTEGER', category: 'INTEGER', behaviour: 'VARCHAR', timestamp: 'BIGINT' },
    delimiter: ',',
    header: false,
  };
  const unknown = options.behaviours?.filter((b) => !BEHAVIOURS.includes(b));
  if (unknown?.length) throw new Error(`importTaobao: unknown behaviour ${unknown.map((b) => `"${b}"`).join(', ')}; UserBehavior.csv has ${BEHAVIOURS.join(', ')}.`);
  const behaviours = options.behaviours?.map(quoteLiteral).join(', ');
  const where = behaviours ? `WHERE behaviour IN (${behaviours})` : '';
  await createTables(db, {
    [table]: { sql: `SELECT * FROM ${readCsvSql(file, layout)} ${where}`, file, layout },
    // An item's category, as a feature (the smallest, should the log disagree).
    [`${table}_items`]: { sql: `SELECT item, min(category) AS category FROM ${quoteIdentifier(table)} GROUP BY item`, file },
  });
  return readInteractionData(db, 'Taobao UserBehavior', { interactions: table, items: `${table}_items` }, {});
}
