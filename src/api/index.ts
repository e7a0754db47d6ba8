export type * from './kernel';
export type * from './workbench';
export type { MimeBundle, Output } from '../notebook/nbformat';
export type { ProgressState } from '../kernel/progress';
export { MIME } from '../notebook/nbformat';
