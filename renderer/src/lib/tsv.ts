/**
 * Cells as tab-separated text with a header row, the way spreadsheets paste it: NULL as an
 * empty field, nested values as JSON. A field holding a tab or a line break, or starting
 * with a quote, is quoted with its quotes doubled; other quotes stay as they are, so JSON
 * pasted into a text editor reads as JSON.
 */
export function toTsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return [header, ...rows].map((row) => row.map(field).join('\t')).join('\n');
}

function field(v: unknown): string {
  const text = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[\t\n\r]|^"/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
