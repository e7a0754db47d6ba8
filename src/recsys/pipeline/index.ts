/** Pipelines: retrieval channels merged, filtered and ranked, with a reason per item. */
export { Pipeline, pipeline } from './pipeline';
export { DEFAULT_QUOTA } from './pipeline-options';
export { BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, fingerprint, verifyBundle } from './bundle';
export { loadPipeline, openBundle } from './load-pipeline';
export type { BundleManifest, ExportOptions } from './bundle';
export type { OpenedBundle } from './load-pipeline';
export type { PipelineLatency, PipelineRecommendOptions } from './pipeline';
export type { CategorySource, ChannelOptions, PipelineFilters, PipelineOptions } from './pipeline-options';
export { setServingHost } from './serving-host';
export type { PipelineServer, ReloadResult, ServeOptions, ServingHost } from './serving-host';
