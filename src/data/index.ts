export { Database, SqlError, exactInteger, quoteIdentifier } from './database';
export type { SqlParams } from './database';
export { Table, cellValue, formatTime } from './table';
export type { CellValue, Column, ColumnData, ColumnType } from './table';
export type { SortKey } from '../api';
