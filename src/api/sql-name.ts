/**
 * The name a SQL cell binds its result to: a first line `-- name: ratings`. Shared by the
 * kernel, which binds it, and the editor, which declares it for completions.
 */
const NAME_LINE = /^\s*--\s*name\s*:\s*(\S*)\s*$/;

/** The name as written on the first line (not yet checked as an identifier), if any. */
export function sqlCellName(source: string): string | undefined {
  return NAME_LINE.exec(source.split('\n', 1)[0])?.[1];
}
