/** Any CSV, TSV, Parquet or JSON file, with DuckDB's own detection of its layout. */
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
  try {
    return await db.query(`SELECT * FROM ${reader(quoteLiteral(file))}`);
  } catch (e) {
    throw csvError(file, undefined, e);
  }
}
