/**
 * What the tests (test/) and the benchmarks (bench/) share, so that neither imports the
 * other: where MovieLens and Chromium lie, a client of the workbench WebSocket, clustered
 * vectors shaped like a trained model's embeddings, and `reclab serve-model` processes with
 * the HTTP to talk to them.
 */
export { CHROMIUM, MOVIELENS } from './locations';
export { WorkbenchClient } from './workbench-client';
export { clusteredVectors } from './clustered-vectors';
export { request, sample, until, untilReady, type Answer } from './http';
export { spawnServeModel, type ServeModelProcess } from './serve-model';
