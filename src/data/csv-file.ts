/**
 * Reading a delimited file of a known layout through DuckDB, with the layout spelled out
 * (no sniffing), so a malformed line is an error that names the file, the line and what
 * was expected there, instead of a guessed schema.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
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
  /**
   * Leave out lines that do not parse (a truncated last line, a stray field) instead of
   * failing; {@link createTables} reports them as {@link SkippedLines}. Off by default.
   */
  skipMalformed?: boolean;
}

/** The lines a read with `skipMalformed` left out. */
export interface SkippedLines {
  file: string;
  /** How many lines were left out. */
  count: number;
  /** Every left-out line's number (1-based, as an editor counts them, header included). */
  lines: number[];
  /** The first few, with their text and what was wrong with them. */
  examples: { line: number; text: string; problem: string }[];
  /** All of it in a sentence, for a notebook to show. */
  message: string;
}

/** How many skipped lines {@link SkippedLines} shows with their text. */
const EXAMPLES = 5;

/** A data file that does not have the layout its format promises. */
export class DataFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly expected: string,
    readonly found?: string,
  ) {
    super(
      `${file}${line === undefined ? '' : `, line ${line}`}: expected ${expected}` +
        `${found === undefined ? '' : `; found ${JSON.stringify(found)}`}.`,
    );
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
  if (layout.skipMalformed) {
    const rejects = rejectsTable(file);
    options.push(
      'store_rejects=true',
      `rejects_table=${quoteLiteral(rejects)}`,
      `rejects_scan=${quoteLiteral(`${rejects}_scan`)}`,
    );
  }
  return `read_csv(${quoteLiteral(file)}, ${options.join(', ')})`;
}

/**
 * The temporary tables where DuckDB puts the lines a lenient read of `file` rejected
 * (`<name>` and `<name>_scan`): one name per file, so the reader and {@link createTables} agree.
 */
function rejectsTable(file: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < file.length; i++) h = Math.imul(h ^ file.charCodeAt(i), 0x01000193);
  return `reclab_rejects_${(h >>> 0).toString(16)}`;
}

/**
 * Creates the tables in `statements` (name → SELECT) in one transaction: either all of
 * them exist afterwards, or (on any error) none was created or replaced. A statement whose
 * layout has `skipMalformed` gives the lines it left out (in statement order); one that
 * leaves nothing but malformed lines is an error, since an empty table is not what was asked for.
 */
export async function createTables(
  db: Database,
  statements: Record<string, { sql: string; file: string; layout?: CsvLayout }>,
): Promise<SkippedLines[]> {
  for (const { file } of Object.values(statements)) {
    if (!(await fs.stat(file).catch(() => null)))
      throw new DataFileError(file, undefined, 'this file to exist (it does not)');
  }
  const lenient = [
    ...new Set(
      Object.values(statements).flatMap(({ file, layout }) => (layout?.skipMalformed ? [file] : [])),
    ),
  ];
  const dropRejects = async () => {
    for (const file of lenient) {
      const rejects = rejectsTable(file);
      await db.run(`DROP TABLE IF EXISTS temp.${quoteIdentifier(rejects)}`);
      await db.run(`DROP TABLE IF EXISTS temp.${quoteIdentifier(`${rejects}_scan`)}`);
    }
  };
  const skipped: SkippedLines[] = [];
  await dropRejects();
  await db.run('BEGIN TRANSACTION');
  try {
    for (const [name, { sql, file, layout }] of Object.entries(statements)) {
      try {
        await db.run(`CREATE OR REPLACE TABLE ${quoteIdentifier(name)} AS ${sql}`);
      } catch (e) {
        throw layout ? csvError(file, layout, e) : e;
      }
      if (layout?.skipMalformed) {
        const left = await skippedLines(db, file, layout);
        const rows = Number(
          (await db.query(`SELECT count(*) AS n FROM ${quoteIdentifier(name)}`)).value('n', 0),
        );
        if (rows === 0 && left.count > 0) {
          const first = left.examples[0];
          throw new DataFileError(
            file,
            first.line,
            `lines of ${layoutText(layout)}, but nothing is left once its ${left.count} ` +
              `malformed line${left.count === 1 ? ' is' : 's are'} skipped (the first: ${first.problem})`,
            first.text,
          );
        }
        skipped.push(left);
      }
    }
    await db.run('COMMIT');
  } catch (e) {
    await db.run('ROLLBACK');
    throw e;
  } finally {
    await dropRejects();
  }
  return skipped;
}

/** The lines DuckDB rejected while reading `file` leniently (one entry per line, however many fields were wrong). */
async function skippedLines(db: Database, file: string, layout: CsvLayout): Promise<SkippedLines> {
  const rejects = quoteIdentifier(rejectsTable(file));
  // A line short of fields is rejected once per missing field: its first rejection says how many it has.
  const table = await db.query(
    `SELECT line::DOUBLE AS line, arg_min(csv_line, column_idx) AS text, arg_min(error_type, column_idx) AS kind,
            arg_min(error_message, column_idx) AS message
     FROM temp.${rejects} GROUP BY line ORDER BY line`,
  );
  const lines = Array.from(table.column('line') as Float64Array);
  const examples = lines.slice(0, EXAMPLES).map((line, r) => ({
    line,
    text: String(table.value('text', r) ?? ''),
    problem: describeProblem(layout, `${table.value('kind', r)}: ${table.value('message', r)}`),
  }));
  const name = path.basename(file);
  const shown = lines.length > 20 ? `${lines.slice(0, 20).join(', ')}, …` : lines.join(', ');
  const message = lines.length
    ? `Skipped ${lines.length} malformed line${lines.length === 1 ? '' : 's'} of ${name} ` +
      `(line${lines.length === 1 ? '' : 's'} ${shown}): ` +
      examples.map((x) => `line ${x.line} ${JSON.stringify(x.text)}: expected ${x.problem}`).join('; ') +
      (lines.length > examples.length ? `; and ${lines.length - examples.length} more.` : '.')
    : `No malformed line in ${name}.`;
  return { file, count: lines.length, lines, examples, message };
}

/**
 * DuckDB's error for a file, as file, line and what was expected. `layout` is the layout
 * RecLab asked for; without one (a file read with DuckDB's own detection) the expectation
 * is the layout DuckDB found in the file's first rows.
 */
export function csvError(file: string, layout: CsvLayout | undefined, e: unknown): Error {
  const text = e instanceof Error ? e.message : String(e);
  const line = /CSV Error on Line: (\d+)/.exec(text);
  if (!line)
    return layout
      ? e instanceof Error
        ? e
        : new Error(text)
      : new DataFileError(file, undefined, 'a file DuckDB can read', text.split('\n')[0]);
  const original = /Original Line: (.*)/.exec(text)?.[1];
  return new DataFileError(file, Number(line[1]), describeProblem(layout, text), original);
}

/** "5 fields separated by "," (user, item, …)": what a line of `layout` holds. */
function layoutText(layout: CsvLayout): string {
  const names = Object.keys(layout.columns);
  return `${names.length} fields separated by ${JSON.stringify(layout.delimiter)} (${names.join(', ')})`;
}

/** What a line should have held, from DuckDB's text about it (an error, or a rejected line's record). */
function describeProblem(layout: CsvLayout | undefined, text: string): string {
  const count = /Expected Number of Columns: (\d+) Found: (\d+)/.exec(text);
  const conversion = /converting column "([^"]+)"\. Could not convert string "([^"]*)" to '(.+)'$/m.exec(
    text,
  );
  const row = layout ? layoutText(layout) : `${count?.[1] ?? 'as many'} fields, as in the first rows`;
  if (count) return `${row}, found ${count[2]}`;
  if (conversion) {
    // An ENUM column takes one of its values: 'ENUM('pv', 'buy')' says which.
    const choices = /^ENUM\((.*)\)$/i.exec(conversion[3]);
    const type = choices ? `one of ${choices[1].replaceAll("'", '')}` : `${conversion[3].toLowerCase()}`;
    return `${conversion[1]} to be ${type}, not ${JSON.stringify(conversion[2])}`;
  }
  const said = text
    .split('\n')
    .find((l) => l && !l.startsWith('CSV Error') && !l.startsWith('Original Line'));
  return `${row} (${said ?? 'DuckDB could not read it'})`;
}
