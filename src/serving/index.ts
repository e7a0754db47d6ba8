/** Serving a pipeline bundle over HTTP: `reclab serve-model`. */
export { DEFAULT_MAX_INFLIGHT, ModelServer } from './model-server';
export type { ModelServerOptions } from './model-server';
export { serveModel } from './serve-model';
export type { ServeModelOptions } from './serve-model';
export { Counter, Gauge, Histogram, ServerMetrics } from './metrics';
export { startPipelineServer } from './pipeline-server';
