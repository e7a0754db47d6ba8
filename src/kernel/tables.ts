import { randomBytes } from 'node:crypto';
import type { ColumnSummary, SortKey, TablePage } from '../api';
import { cellValue, type Table } from '../data';
import { summarizeColumn } from './column-summary';
import { jsonSafe } from './json-safe';

/** How many rows a new sort orders at first: a few grid pages. */
const FIRST_SORTED_ROWS = 1000;

/**
 * Tables that outputs have shown, kept in the kernel so a grid can page through results
 * far larger than what is sent with the output.
 */
export class TableRegistry {
  /**
   * Most recently shown or used last; the first are let go past {@link TableRegistry.capacity},
   * and what was worked out for them with them.
   */
  private readonly tables = new Map<string, Kept>();
  private next = 1;
  /**
   * Ids are unique across kernels: a saved output names a table of the kernel that made
   * it, and after a restart or a reopen must not find another table under that name.
   */
  private readonly prefix = randomBytes(4).toString('hex');

  /** How many tables are kept: re-running cells that show large results must not exhaust memory. */
  constructor(readonly capacity = 64) {}

  add(table: Table): string {
    const id = `${this.prefix}-t${this.next++}`;
    this.tables.set(id, { table, sorts: new Map(), summaries: new Map() });
    for (const old of this.tables.keys()) {
      if (this.tables.size <= this.capacity) break;
      this.tables.delete(old);
    }
    return id;
  }

  page(tableId: string, offset: number, limit: number, sort?: SortKey): TablePage {
    const { table, sorts } = this.use(tableId);
    const start = Math.max(0, Math.floor(offset));
    const end = Math.min(table.numRows, start + Math.max(0, Math.floor(limit)));
    let order: Uint32Array | undefined;
    if (sort) {
      const key = `${sort.column}\u0000${sort.descending ? 1 : 0}`;
      let cached = sorts.get(key);
      if (!cached || (!cached.complete && cached.order.length < end)) {
        // The first pages of a new sort come from a partial sort; going deeper sorts it all.
        const partial = end <= FIRST_SORTED_ROWS;
        const sorted = table.sortIndex(sort, partial ? FIRST_SORTED_ROWS : table.numRows);
        cached = { order: sorted, complete: sorted.length >= table.numRows };
        sorts.set(key, cached);
      }
      order = cached.order;
    }
    const rows: unknown[][] = [];
    for (let r = start; r < end; r++) {
      const row = order ? order[r] : r;
      rows.push(table.columns.map((c) => jsonSafe(cellValue(c, row))));
    }
    return {
      tableId,
      offset: start,
      numRows: table.numRows,
      columns: table.columns.map((c) => ({ name: c.name, type: c.type })),
      rows,
    };
  }

  /** Summaries of one column, or of every column; each is worked out once per table and `bins`. */
  columnSummary(tableId: string, column?: string, bins?: number): ColumnSummary[] {
    const { table, summaries } = this.use(tableId);
    const columns = column === undefined ? table.columns : [table.columnInfo(column)];
    return columns.map((c) => {
      const key = `${c.name}\u0000${bins ?? ''}`;
      let summary = summaries.get(key);
      if (!summary) summaries.set(key, (summary = summarizeColumn(c, bins)));
      return summary;
    });
  }

  /** The table under `tableId`, which moves to the back of the line: it is in use. */
  private use(tableId: string): Kept {
    const kept = this.tables.get(tableId);
    if (kept) {
      this.tables.delete(tableId);
      this.tables.set(tableId, kept);
      return kept;
    }
    const prefix = `${this.prefix}-t`;
    const ours = tableId.startsWith(prefix);
    throw new Error(
      !ours
        ? `Table ${tableId} was made by an earlier kernel (the notebook was reopened or the kernel restarted).`
        : Number(tableId.slice(prefix.length)) < this.next
          ? `Table ${tableId} is no longer in the kernel: ` +
            `it keeps the ${this.capacity} most recently used tables. Run the cell again.`
          : `There is no table ${tableId} in this kernel.`,
    );
  }
}

/** A shown table and what was worked out for it. */
interface Kept {
  table: Table;
  /** Sort orders by column and direction: complete, or the first rows only. */
  sorts: Map<string, { order: Uint32Array; complete: boolean }>;
  /** Column summaries by column and bins. */
  summaries: Map<string, ColumnSummary>;
}
