// The kernel's face for its drivers (server, CLI, tests). Nothing here loads DuckDB or
// TensorFlow.js: those live in the kernel process only.
export { KernelClient, KernelDiedError } from './client';
export type { KernelOptions, ExecuteHandlers, KernelState } from './client';
export { progressText } from './progress';
export type { ProgressState } from '../api';
