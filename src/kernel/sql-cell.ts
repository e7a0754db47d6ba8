/**
 * A SQL cell: an optional first line `-- name: ratings` binds the result to a variable
 * for later TypeScript cells; the rest runs on the kernel's DuckDB connection.
 */
import { sqlCellName } from '../api';
import { reservedNameProblem } from './reserved';

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

export interface SqlCell {
  sql: string;
  /** The variable the result is bound to, if the cell names one. */
  name?: string;
}

export class SqlCellError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SqlCellError';
  }
}

export function parseSqlCell(source: string): SqlCell {
  const name = sqlCellName(source);
  if (name === undefined) return { sql: source };
  if (!IDENTIFIER.test(name)) {
    throw new SqlCellError(
      `"-- name: ${name}" on line 1 is not a valid variable name. ` +
        'Use letters, digits, _ or $, not starting with a digit (for example "-- name: ratings").',
    );
  }
  const problem = reservedNameProblem(name);
  if (problem) throw new SqlCellError(`"-- name: ${name}" on line 1: ${problem}`);
  // The name line stays in the SQL as a comment, so DuckDB's "LINE n" matches the cell.
  return { sql: source, name };
}
