import type * as tfModule from '@tensorflow/tfjs';
import type { Database } from '../data';
import type { DisplayFunction } from './display';
import type { Library } from './library';
import type { Progress, ProgressOptions } from './progress';

/**
 * The globals every cell sees. The kernel installs exactly these, and the editor's
 * completions and hover types are generated from this declaration.
 */
export interface KernelGlobals {
  /** TensorFlow.js, on the best backend this machine has. */
  tf: typeof tfModule;
  /** The notebook's DuckDB database. */
  db: Database;
  /** The RecLab library. */
  rl: Library;
  /** Shows a value as a rich output: tables, charts, markdown, anything. */
  display: DisplayFunction;
  /** A progress bar that updates in place; each step also checks for an interrupt. */
  progress(options: ProgressOptions): Progress;
}
