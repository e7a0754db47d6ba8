export type * from './kernel';
