/** The sequence family: models that read each user's items in order and predict the next. */
export { SequentialModel, SEQUENCE_SCHEMA } from './sequential-model';
export type { SequenceSettings } from './sequential-model';
export { SASRec } from './sasrec';
export type { SASRecConfig } from './sasrec';
export { GRU4Rec } from './gru4rec';
export type { GRU4RecConfig } from './gru4rec';
export { BST } from './bst';
export type { BSTConfig } from './bst';
export type { AttentionMap } from '../attention-view';
