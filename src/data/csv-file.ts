/**
 * Reading a delimited file of a known layout through DuckDB, with the layout spelled out
 * (no sniffing), so a malformed line is an error that names the file, the line and what
 * was expected there, instead of a guessed schema.
 */
import { promises as fs } from 'node:fs';
import { quoteIdentifier, quoteLiteral, type Database } from './database';

export interface CsvLayout {
  /** Column name → DuckDB type, in file order. */
  columns: Record<string, string>;
  delimiter: string;
  header: boolean;
  /** '"' for files that quote fields with delimiters in them; none by default. */
  quote?: string;
  /** 'latin-1' for the older MovieLens files. */
  encoding?: 'utf-8' | 'latin-1';
}

/** A data file that does not have the layout its format promises. */
export class DataFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly expected: string,
    readonly found?: string,
  ) {
    super(`${file}${line === undefined ? '' : `, line ${line}`}: expected ${expected}${found === undefined ? '' : `; found ${JSON.stringify(found)}`}.`);
    this.name = 'DataFileError';
  }
}

/** The read_csv(...) expression for `file` with `layout`. */
export function readCsvSql(file: string, layout: CsvLayout): string {
  const columns = Object.entries(layout.columns)
    .map(([name, type]) => `${quoteLiteral(name)}: ${quoteLiteral(type)}`)
    .join(', ');
  const options = [
    `delim=${quoteLiteral(layout.delimiter)}`,
    `header=${layout.header}`,
    'auto_detect=false',
    `quote=${quoteLiteral(layout.quote ?? '')}`,
    `escape=${quoteLiteral(layout.quote ?? '')}`,
    `encoding=${quoteLiteral(layout.encoding ?? 'utf-8')}`,
    `columns={${columns}}`,
  ];
  return `read_csv(${quoteLiteral(file)}, ${options.join(', ')})`;
}

/**
 * Creates the tables in `statements` (name → SELECT) in one transaction: either all of
 * them exist afterwards, or (on any error) none was created or replaced.
 */
export async function createTables(db: Database, statements: Record<string, { sql: string; file: string; layout?: CsvLayout }>): Promise<void> {
  for (const { file } of Object.values(statements)) {
    if (!(await fs.stat(file).catch(() => null))) throw new DataFileError(file, undefined, 'this file to exist (it does not)');
  }
  await db.run('BEGIN TRANSACTION');
  try {
    for (const [name, { sql, file, layout }] of Object.entries(statements)) {
      try {
        await db.run(`CREATE OR REPLACE TABLE ${quoteIdentifier(name)} AS ${sql}`);
      } catch (e) {
        throw layout ? csvError(file, layout, e) : e;
      }
    }
    await db.run('COMMIT');
  } catch (e) {
    await db.run('ROLLBACK');
    throw e;
  }
}

/**
 * DuckDB's error for a file, as file, line and what was expected. `layout` is the layout
 * RecLab asked for; without one (a file read with DuckDB's own detection) the expectation
 * is the layout DuckDB found in the file's first rows.
 */
export function csvError(file: string, layout: CsvLayout | undefined, e: unknown): Error {
  const text = e instanceof Error ? e.message : String(e);
  const line = /CSV Error on Line: (\d+)/.exec(text);
  if (!line) return layout ? (e instanceof Error ? e : new Error(text)) : new DataFileError(file, undefined, 'a file DuckDB can read', text.split('\n')[0]);
  const original = /Original Line: (.*)/.exec(text)?.[1];
  const names = layout ? Object.keys(layout.columns) : [];
  const count = /Expected Number of Columns: (\d+) Found: (\d+)/.exec(text);
  const conversion = /converting column "([^"]+)"\. Could not convert string "([^"]*)" to '([^']+)'/.exec(text);
  const row = layout ? `${names.length} fields separated by ${JSON.stringify(layout.delimiter)} (${names.join(', ')})` : `${count?.[1] ?? 'as many'} fields, as in the first rows`;
  if (count) return new DataFileError(file, Number(line[1]), `${row}, found ${count[2]}`, original);
  if (conversion) return new DataFileError(file, Number(line[1]), `${conversion[1]} to be ${conversion[3].toLowerCase()}, not ${JSON.stringify(conversion[2])}`, original);
  return new DataFileError(file, Number(line[1]), `${row} (${text.split('\n').find((l) => l && !l.startsWith('CSV Error') && !l.startsWith('Original Line')) ?? 'DuckDB could not read it'})`, original);
}
