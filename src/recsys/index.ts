/** The recommender library: what notebook cells see as `rl`, beside the Table, the charts and src/views. */
export { Dataset } from './data/dataset';
export type { ColumnMapping, DatasetParts, Feedback, InteractionColumns } from './data/dataset';
export type { Csr } from './data/csr';
export { FeatureSet, hashString } from './data/features';
export type { FeatureGroup, FeatureSpec, RawFeature } from './data/features';
export { Model, Recommendations, excludeSeen, scoredRows, topK } from './model';
export type { Embeddings, RecommendOptions, Recommender, TopKLists } from './model';
export type { ModelState, StateArray } from './store';
export { FitCancelledError, History, TrainingContext, setTrainingHost, show } from './engine/training';
export type { EpochLog, FitOptions, ProgressBar, Shown, TrainingHost } from './engine/training';
export { NegativeSampler, StreamingFrequency, candidateLogQ } from './engine/negatives';
export type {
  CandidateLogQOptions,
  ItemCounts,
  NegativeSamplerOptions,
  NegativeStrategy,
  StreamingFrequencyOptions,
} from './engine/negatives';
export type { SettingSpec, SettingsSchema } from './engine/settings';
export { closestNames } from './names';
export { MODELS, RANKERS, loadModel, loadRanker } from './registry';
export { MostPopular } from './models/retrieval/most-popular';
export { ItemCF } from './models/retrieval/item-cf';
export type { ItemCFConfig } from './models/retrieval/item-cf';
export { UserCF } from './models/retrieval/user-cf';
export type { UserCFConfig } from './models/retrieval/user-cf';
export { EASE } from './models/retrieval/ease';
export type { EASEConfig } from './models/retrieval/ease';
export { TwoTower } from './models/retrieval/two-tower';
export type { TwoTowerConfig } from './models/retrieval/two-tower';
export { AutoEncoder } from './models/retrieval/auto-encoder';
export type { AutoEncoderConfig } from './models/retrieval/auto-encoder';
export { BST, GRU4Rec, SASRec, SequentialModel } from './models/sequence';
export type {
  AttentionMap,
  BSTConfig,
  GRU4RecConfig,
  SASRecConfig,
  SequenceSettings,
} from './models/sequence';
export {
  DIEN,
  DIN,
  DNN,
  DeepFM,
  ESMM,
  LogisticRegression,
  MMoE,
  RANKING_SCHEMA,
  RankingModel,
  SINGLE_TASK_SCHEMA,
} from './models/ranking';
export type {
  DIENConfig,
  DINConfig,
  DNNConfig,
  DeepFMConfig,
  ESMMConfig,
  LogisticRegressionConfig,
  MMoEConfig,
  Predictions,
  Ranker,
  RankingInputs,
  RankingOutputs,
  RankingSettings,
  ScoreOptions,
  SingleTaskSettings,
} from './models/ranking';
export { Sequences } from './data/sequences';
export type { CodedGroup } from './data/sequences';
export { ClusterIndex, exactSearch } from './indexes/cluster-index';
export type { ClusterIndexOptions, SearchOptions, SearchResult } from './indexes/cluster-index';
export { invertSpd } from './linalg/spd-inverse';
export { evaluate, Evaluation } from './evaluation/evaluate';
export type { EvaluateOptions } from './evaluation/evaluate';
export { evaluatePipeline } from './evaluation/evaluate-pipeline';
export type { EvaluatePipelineOptions } from './evaluation/evaluate-pipeline';
export { TOP_K_METRICS, topKMetrics, userAuc } from './evaluation/metrics';
export type { TopKMetric } from './evaluation/metrics';
export {
  aucCurves,
  evaluateRanking,
  RankingEvaluation,
  CALIBRATION_BINS,
} from './evaluation/evaluate-ranking';
export type {
  AucCurvesInput,
  AucCurvesOptions,
  CalibrationCurve,
  EvaluateRankingOptions,
  Rankers,
} from './evaluation/evaluate-ranking';
export { auc, calibration, gauc, logLoss } from './evaluation/ranking-metrics';
export type { CalibrationBin } from './evaluation/ranking-metrics';
export { leaveLastOut, randomSplit, timeSplit } from './data/split';
export type { Split } from './data/split';
export { rankingSamples } from './data/ranking-builder';
export type { RankingFeatureTable, RankingSampleOptions } from './data/ranking-builder';
export { importSynthetic, synthetic } from './data/synthetic';
export type { SyntheticOptions } from './data/synthetic';
export { importSyntheticBehaviour, syntheticBehaviour } from './data/synthetic-behaviour';
export type {
  BehaviourTruth,
  SyntheticBehaviour,
  SyntheticBehaviourOptions,
} from './data/synthetic-behaviour';
export {
  DEFAULT_QUOTA,
  Pipeline,
  loadPipeline,
  openBundle,
  pipeline,
  setServingHost,
  verifyBundle,
} from './pipeline';
export type {
  BundleManifest,
  CategorySource,
  ExportOptions,
  OpenedBundle,
  ChannelOptions,
  PipelineFilters,
  PipelineLatency,
  PipelineOptions,
  PipelineRecommendOptions,
  PipelineServer,
  ReloadResult,
  ServeOptions,
  ServingHost,
} from './pipeline';
