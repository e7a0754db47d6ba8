export type * from './kernel';
export type * from './workbench';
