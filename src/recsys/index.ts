/** The recommender library: what notebook cells see as `rl` (with the Table and chart helpers). */
export { Dataset } from './dataset';
export type { ColumnMapping, DatasetParts, Feedback, InteractionColumns } from './dataset';
export type { Csr } from './csr';
export { FeatureSet, hashString } from './features';
export type { FeatureGroup, FeatureSpec, RawFeature } from './features';
export { Model, Recommendations, excludeSeen, topK } from './model';
export type { Embeddings, RecommendOptions, Recommender, TopKLists } from './model';
export type { ModelState, StateArray } from './store';
export { FitCancelledError, History, TrainingContext, setTrainingHost } from './training';
export type { EpochLog, FitOptions, ProgressBar, TrainingHost } from './training';
export { closestNames } from './names';
export { MODELS, loadModel } from './registry';
export { MostPopular } from './models/most-popular';
