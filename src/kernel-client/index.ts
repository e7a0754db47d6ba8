// The driver of a kernel process, for the server, the CLI, the bench and tests. Nothing here
// loads DuckDB or TensorFlow.js: those live in the kernel process only.
export { KernelClient, KernelDiedError } from './kernel-client';
export type { KernelOptions, ExecuteHandlers, KernelState } from './kernel-client';
