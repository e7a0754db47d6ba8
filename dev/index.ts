/**
 * What the tests (test/) and the benchmarks (bench/) share, so that neither imports the
 * other: where MovieLens, Chromium and nginx lie, a client of the workbench WebSocket,
 * clustered vectors shaped like a trained model's embeddings, and for serving: `reclab
 * serve-model` processes, nginx with the repository's config in front of them, and a load of
 * requests (autocannon, or evenly paced).
 */
export { CHROMIUM, MOVIELENS, NGINX } from './locations';
export { WorkbenchClient } from './workbench-client';
export { clusteredVectors } from './clustered-vectors';
export { request, sample, until, untilReady, type Answer } from './http';
export { spawnServeModel, type ServeModelProcess } from './serve-model';
export { nginxUnavailable, startNginx, type Nginx } from './nginx';
export { startLoad, type Load, type LoadOptions, type LoadRequest, type LoadResult } from './load';
export { startPacedLoad, type PacedLoadOptions } from './paced-load';
