export { KernelClient, KernelDiedError } from './client';
export type { KernelOptions, ExecuteHandlers, KernelState } from './client';
export { transpileCell, CellSyntaxError } from './transpile';
export { parseSqlCell } from './sql-cell';
export { progressText } from './progress';
export type { ProgressState } from '../api';
export { escapeHtml } from './table-view';
export { TableRegistry } from './tables';
