/**
 * What the tests (test/) and the benchmarks (bench/) share, so that neither imports the
 * other: where MovieLens and Chromium lie, a client of the workbench WebSocket, and
 * clustered vectors shaped like a trained model's embeddings.
 */
export { CHROMIUM, MOVIELENS } from './locations';
export { WorkbenchClient } from './workbench-client';
export { clusteredVectors } from './clustered-vectors';
