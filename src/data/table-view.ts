import { cellValue, isNumeric, type Column, type Table } from './table';
import { escapeHtml, formatCountOf, formatValue } from '../api';

/** How many rows an output carries; the grid pages through the rest from the kernel. */
export const PREVIEW_ROWS = 50;
const TEXT_ROWS = 10;
/** Static HTML is read on GitHub and in Jupyter, where a long table is in the way. */
const HTML_ROWS = 20;

const rowsLabel = (n: number) => formatCountOf(n, 'row');

/** A fixed-width preview for `text/plain` readers (terminals, `reclab run`). */
export function tableText(table: Table): string {
  const shown = Math.min(TEXT_ROWS, table.numRows);
  const cells = table.columns.map((c) => {
    const values = [];
    for (let r = 0; r < shown; r++) values.push(formatValue(cellValue(c, r)));
    return values;
  });
  const widths = table.columns.map((c, i) =>
    Math.min(40, Math.max(c.name.length, ...cells[i].map((v) => v.length))),
  );
  const fit = (s: string, w: number) => (s.length > w ? s.slice(0, w - 1) + '…' : s.padEnd(w));
  const lines = [
    table.columns.map((c, i) => fit(c.name, widths[i])).join(' │ '),
    widths.map((w) => '─'.repeat(w)).join('─┼─'),
  ];
  for (let r = 0; r < shown; r++) lines.push(cells.map((col, i) => fit(col[r], widths[i])).join(' │ '));
  const more = table.numRows > shown ? ` (first ${shown} shown)` : '';
  lines.push(`${rowsLabel(table.numRows)} × ${table.columns.length} columns${more}`);
  return lines.map((l) => l.trimEnd()).join('\n');
}

/** A static HTML table, for GitHub and Jupyter. */
export function tableHtml(table: Table): string {
  const shown = Math.min(HTML_ROWS, table.numRows);
  // Numbers right-aligned and text left, as the grid shows them, wherever the page's style lets a class say so.
  const align = (c: Column) => (isNumeric(c.type) ? ' class="num"' : '');
  const head = table.columns
    .map((c) => `<th${align(c)} title="${escapeHtml(c.type)}">${escapeHtml(c.name)}</th>`)
    .join('');
  const body: string[] = [];
  for (let r = 0; r < shown; r++) {
    const cells = table.columns.map((c) => `<td${align(c)}>${escapeHtml(formatValue(cellValue(c, r)))}</td>`);
    body.push(`<tr>${cells.join('')}</tr>`);
  }
  const more = table.numRows > shown ? `, first ${shown} shown` : '';
  return (
    `<table class="reclab-table">\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body.join('\n')}\n</tbody>\n</table>\n` +
    `<p>${rowsLabel(table.numRows)} × ${table.columns.length} columns${more}</p>`
  );
}
