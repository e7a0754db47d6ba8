/** Pipelines: retrieval channels merged, filtered and ranked, with a reason per item. */
export { DEFAULT_QUOTA, Pipeline, pipeline } from './pipeline';
export type {
  CategorySource,
  ChannelOptions,
  PipelineFilters,
  PipelineLatency,
  PipelineOptions,
  PipelineRecommendOptions,
} from './pipeline';
