/**
 * The SQL cell that opens a data file, as DuckDB's UI makes one: a name the result binds to,
 * and the reader for the file's kind. The path is written relative to the notebook's folder
 * when the file lies under it (the kernel reads relative paths from there), so the notebook
 * keeps working when its folder moves.
 */
export function dataFileSql(file: string, notebookFolder: string): string {
  const slashed = file.replaceAll('\\', '/');
  const folder = notebookFolder.replaceAll('\\', '/').replace(/\/$/, '');
  const shown = slashed.startsWith(`${folder}/`) ? slashed.slice(folder.length + 1) : slashed;
  const base = shown.slice(shown.lastIndexOf('/') + 1);
  const format = /\.parquet$/i.test(base)
    ? 'read_parquet'
    : /\.(json|jsonl|ndjson)(\.gz)?$/i.test(base)
      ? 'read_json'
      : 'read_csv';
  return `-- name: ${identifier(fileStem(base))}\nSELECT * FROM ${format}('${shown.replaceAll("'", "''")}')`;
}

/** A data file's name without its extensions: `ratings.csv.gz` → `ratings`. */
export function fileStem(name: string): string {
  return name.replace(/(\.gz)?$/i, '').replace(/\.[^.]*$/, '');
}

/** A name TypeScript cells can use: `ml-ratings 2024` → `ml_ratings_2024`, `100k` → `_100k`. */
function identifier(stem: string): string {
  const name = stem.replace(/[^A-Za-z0-9_$]+/g, '_').replace(/^_+|_+$/g, '') || 'data';
  return /^[0-9]/.test(name) ? `_${name}` : name;
}
