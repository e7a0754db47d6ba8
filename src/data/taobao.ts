/** Taobao UserBehavior.csv (Tianchi): user, item, category, behaviour (pv, buy, cart, fav), timestamp; no header. */
import { createTables, readCsvSql, type SkippedLines } from './csv-file';
import { quoteIdentifier, quoteLiteral, type Database } from './database';
import { readInteractionData, type InteractionData } from './interaction-data';

const BEHAVIOURS: readonly string[] = ['pv', 'buy', 'cart', 'fav'];

export interface TaobaoOptions {
  /** DuckDB table name (default 'taobao'); item categories go to `<table>_items`. */
  table?: string;
  /** Keep only these behaviours (default all). */
  behaviours?: readonly ('pv' | 'buy' | 'cart' | 'fav')[];
  /**
   * Leave out lines that do not parse (a truncated last line, a behaviour that is none of
   * the four) instead of failing, and say which in `skipped` (default false: such a line
   * is an error that names it).
   */
  skipMalformed?: boolean;
}

/** What `importTaobao` gives back: the tables, and with `skipMalformed` the lines it left out. */
export interface TaobaoData extends InteractionData {
  /** Only with `skipMalformed`: how many lines were left out, their numbers and the first few lines' text. */
  skipped?: SkippedLines;
}

export async function importTaobao(
  db: Database,
  file: string,
  options: TaobaoOptions = {},
): Promise<TaobaoData> {
  const table = options.table ?? 'taobao';
  const layout = {
    // The behaviour is one of four words: anything else (a truncated "ca") is a malformed line.
    columns: {
      user: 'INTEGER',
      item: 'INTEGER',
      category: 'INTEGER',
      behaviour: `ENUM(${BEHAVIOURS.map(quoteLiteral).join(', ')})`,
      timestamp: 'BIGINT',
    },
    delimiter: ',',
    header: false,
    skipMalformed: options.skipMalformed === true,
  };
  const unknown = options.behaviours?.filter((b) => !BEHAVIOURS.includes(b));
  if (unknown?.length)
    throw new Error(
      `importTaobao: unknown behaviour ${unknown.map((b) => `"${b}"`).join(', ')}; ` +
        `UserBehavior.csv has ${BEHAVIOURS.join(', ')}.`,
    );
  const behaviours = options.behaviours?.map(quoteLiteral).join(', ');
  const where = behaviours ? `WHERE behaviour IN (${behaviours})` : '';
  const [skipped] = await createTables(db, {
    // The behaviour is kept as text, as it is in the file.
    [table]: {
      sql: `SELECT "user", item, category, behaviour::VARCHAR AS behaviour, "timestamp"
            FROM ${readCsvSql(file, layout)} ${where}`,
      file,
      layout,
    },
    // An item's category, as a feature (the smallest, should the log disagree).
    [`${table}_items`]: {
      sql: `SELECT item, min(category) AS category FROM ${quoteIdentifier(table)} GROUP BY item`,
      file,
    },
  });
  const data: TaobaoData = await readInteractionData(
    db,
    'Taobao UserBehavior',
    { interactions: table, items: `${table}_items` },
    {},
  );
  if (!skipped) return data;
  // Said where a cell's output shows it, not only in a field nobody may look at.
  if (skipped.count) console.warn(`importTaobao: ${skipped.message}`);
  return { ...data, skipped };
}
