/** Pipelines: retrieval channels merged, filtered and ranked, with a reason per item. */
export { Pipeline, pipeline } from './pipeline';
export { DEFAULT_QUOTA } from './pipeline-options';
export type { PipelineLatency, PipelineRecommendOptions } from './pipeline';
export type { CategorySource, ChannelOptions, PipelineFilters, PipelineOptions } from './pipeline-options';
