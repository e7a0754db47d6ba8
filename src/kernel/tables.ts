import type { TablePage } from '../api/kernel';
import { cellValue, type SortKey, type Table } from '../data/table';

/**
 * Tables that outputs have shown, kept in the kernel so a grid can page through results
 * far larger than what is sent with the output.
 */
export class TableRegistry {
  private readonly tables = new Map<string, Table>();
  private readonly sortCache = new Map<string, Uint32Array>();
  private next = 1;

  add(table: Table): string {
    const id = `t${this.next++}`;
    this.tables.set(id, table);
    return id;
  }

  page(tableId: string, offset: number, limit: number, sort?: SortKey): TablePage {
    const table = this.tables.get(tableId);
    if (!table) throw new Error(`Table ${tableId} is no longer in the kernel (was it restarted?). Run the cell again.`);
    const start = Math.max(0, Math.floor(offset));
    const end = Math.min(table.numRows, start + Math.max(0, Math.floor(limit)));
    let order: Uint32Array | undefined;
    if (sort) {
      const key = `${tableId}\u0000${sort.column}\u0000${sort.descending ? 1 : 0}`;
      order = this.sortCache.get(key);
      if (!order) this.sortCache.set(key, (order = table.sortIndex(sort)));
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
}

/** NaN and infinities are not JSON; they travel as null. */
export function jsonSafe(v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? null : v;
}
