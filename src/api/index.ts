export type * from './kernel';
export type * from './workbench';
export type { MimeBundle, Output } from '../notebook/nbformat';
export { MIME } from '../notebook/nbformat';
export { sqlCellName } from './sql-name';
export { formatDuration, formatRate } from './format';
