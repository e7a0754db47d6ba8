/** The ranking family: models that score (user, item) pairs as a probability per task (click, cart, buy). */
export { RankingModel, RANKING_SCHEMA, FieldEmbeddings, meanPool } from './ranking-model';
export type {
  Predictions,
  Ranker,
  RankingInputs,
  RankingOutputs,
  RankingSettings,
  ScoreOptions,
} from './ranking-model';
export { SINGLE_TASK_SCHEMA } from './single-task';
export type { SingleTaskSettings } from './single-task';
export { LogisticRegression } from './logistic-regression';
export type { LogisticRegressionConfig } from './logistic-regression';
export { DNN } from './dnn';
export type { DNNConfig } from './dnn';
export { DeepFM } from './deepfm';
export type { DeepFMConfig } from './deepfm';
export { DIN } from './din';
export type { DINConfig } from './din';
export { DIEN } from './dien';
export type { DIENConfig } from './dien';
export { MMoE } from './mmoe';
export type { MMoEConfig } from './mmoe';
export { ESMM } from './esmm';
export type { ESMMConfig } from './esmm';
