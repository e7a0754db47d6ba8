/** Any CSV, TSV, Parquet or JSON file, with DuckDB's own detection of its layout. */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { DataFileError, csvError } from './csv-file';
import { quoteLiteral, type Database } from './database';
import type { Table } from './table';

const READERS: Record<string, (quoted: string) => string> = {
  '.csv': (f) => `read_csv(${f})`,
  '.tsv': (f) => `read_csv(${f}, delim='\t')`,
  '.parquet': (f) => `read_parquet(${f})`,
  '.json': (f) => `read_json_auto(${f})`,
  '.jsonl': (f) => `read_json_auto(${f})`,
  '.ndjson': (f) => `read_json_auto(${f})`,
};

export async function readDataFile(db: Database, file: string): Promise<Table> {
  const ext = path.extname(file).toLowerCase();
  const reader = READERS[ext];
  if (!reader)
    throw new DataFileError(
      file,
      undefined,
      `one of ${Object.keys(READERS).join(', ')} as its extension`,
      ext || '(none)',
    );
  if (ext === '.csv' || ext === '.tsv') await checkDelimited(db, file, ext === '.tsv' ? '\t' : undefined);
  try {
    return await db.query(`SELECT * FROM ${reader(quoteLiteral(file))}`);
  } catch (e) {
    throw csvError(file, undefined, e);
  }
}

/** How much of a delimited file is checked for rows of the wrong width: enough for any hand-made file's slip. */
const CHECKED_BYTES = 4 << 20;

/**
 * DuckDB's detection reads an empty file as one column named column0, and a file whose rows
 * have different widths as whatever layout most rows fit, silently. Both are stopped here,
 * with the line that differs.
 */
async function checkDelimited(db: Database, file: string, delimiter: string | undefined): Promise<void> {
  const handle = await fs.open(file, 'r').catch((e: NodeJS.ErrnoException) => {
    throw new DataFileError(file, undefined, 'a file that can be read', e.code ?? String(e));
  });
  let head: string;
  try {
    const buffer = Buffer.alloc(CHECKED_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, CHECKED_BYTES, 0);
    head = buffer.subarray(0, bytesRead).toString('utf8');
    // A cut last line would look short: check whole lines only, unless the file ended.
    if (bytesRead === CHECKED_BYTES) head = head.slice(0, head.lastIndexOf('\n') + 1);
  } finally {
    await handle.close();
  }
  if (!head.trim()) throw new DataFileError(file, undefined, 'a header line and rows', 'an empty file');
  const sniffed = await db
    .query(`SELECT Delimiter AS d, Quote AS q FROM sniff_csv(${quoteLiteral(file)})`)
    .catch(() => undefined);
  const quote = (sniffed?.value('q', 0) as string | undefined) || '"';
  const lines = head.split(/\r?\n/);
  // Rows of different widths can make the sniffer settle on a delimiter that splits nothing.
  const guess = sniffed?.value('d', 0) as string | undefined;
  const sep = delimiter ?? (guess && fieldCount(lines[0], guess, quote) > 1 ? guess : ',');
  const width = fieldCount(lines[0], sep, quote);
  for (let i = 1; i < lines.length; i++) {
    if (!lines[i].trim()) continue;
    const n = fieldCount(lines[i], sep, quote);
    if (n !== width)
      throw new DataFileError(
        file,
        i + 1,
        `${width} fields separated by ${JSON.stringify(sep)}, as on line 1 ` +
          '(in SQL, read_csv(..., null_padding=true) pads short rows with NULL; ignore_errors=true skips bad rows)',
        lines[i],
      );
  }
}

/** Fields on one line; a delimiter inside quotes does not separate. */
function fieldCount(line: string, sep: string, quote: string): number {
  let n = 1;
  let quoted = false;
  for (const c of line) {
    if (c === quote) quoted = !quoted;
    else if (c === sep && !quoted) n++;
  }
  return n;
}
