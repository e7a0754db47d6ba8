/**
 * Runs the SIMD product (./simd-product) over a memory shared with worker threads, one per
 * core: the rows of C are cut into tasks that each worker takes in turn from a counter in
 * the shared memory, so a worker that finishes early takes more. The calling thread only
 * waits, so its event loop stays free (a notebook's interrupt is heard at once, and the fit
 * stops after the product in progress); on small matrices, where starting the workers would
 * take longer than the work, it computes alone.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { wasm, type WasmMemory } from '../../wasm';
import { PAGE, TILE_ROWS, productModule, type Product } from './simd-product';

/** Bytes at the start of the memory the runner keeps for its task counter (a cache line, so C does not share it). */
export const RESERVED_BYTES = 64;

/** Row tiles per task: 64 rows, whose 64 rows of A (64 KB) stay in L2 while the task sweeps the columns. */
const TASK_ROW_TILES = 64 / TILE_ROWS;

export interface ProductJob {
  /** Byte offsets of C, A and the packed B (./simd-product); bytes from row to row of C. */
  c: number;
  ldc: number;
  a: number;
  b: number;
  depth: number;
  rowTiles: number;
  columnTiles: number;
  /** Only the tiles on or below the diagonal. */
  lower: boolean;
}

// The worker's whole program. Tasks are handed out bottom rows first: under `lower` they are the longest,
// and starting them first leaves short ones to even out the end.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { memory, module, taskRowTiles } = workerData;
const { product } = new WebAssembly.Instance(module, { env: { memory } }).exports;
const counter = new Int32Array(memory.buffer, 0, 1);
parentPort.on('message', (job) => {
  const tasks = Math.ceil(job.rowTiles / taskRowTiles);
  for (let k = Atomics.add(counter, 0, 1); k < tasks; k = Atomics.add(counter, 0, 1)) {
    const from = (tasks - 1 - k) * taskRowTiles;
    const to = Math.min(job.rowTiles, from + taskRowTiles);
    product(job.c, job.ldc, job.a, job.b, job.depth, from, to, job.columnTiles, job.lower ? 1 : 0);
  }
  parentPort.postMessage(0);
});`;

let compiled: object | undefined;
const productCode = () => (compiled ??= new wasm.Module(productModule()));

/** A shared memory of at least `bytes` (whole pages, RESERVED_BYTES of them the runner's). */
export function sharedMemory(bytes: number): WasmMemory {
  const pages = Math.ceil((RESERVED_BYTES + bytes) / PAGE);
  return new wasm.Memory({ initial: pages, maximum: pages, shared: true });
}

export class ProductRunner {
  private constructor(
    private readonly memory: WasmMemory,
    private readonly inThread: Product | undefined,
    private readonly workers: Worker[],
  ) {}

  /**
   * Workers, one per core (one on a single core, so this thread stays free), when a run's `flops` take longer
   * than starting them (tens of milliseconds); this thread otherwise.
   */
  static start(memory: WasmMemory, flops: number): ProductRunner {
    if (flops < 5e7) {
      const { product } = new wasm.Instance(productCode(), { env: { memory } }).exports as {
        product: Product;
      };
      return new ProductRunner(memory, product, []);
    }
    const workerData = { memory, module: productCode(), taskRowTiles: TASK_ROW_TILES };
    const workers = Array.from(
      { length: availableParallelism() },
      () => new Worker(WORKER, { eval: true, workerData }),
    );
    return new ProductRunner(memory, undefined, workers);
  }

  /** C −= A·B (./simd-product), all of it computed when the promise settles. */
  async run(job: ProductJob): Promise<void> {
    if (this.inThread) {
      const { c, ldc, a, b, depth, rowTiles, columnTiles, lower } = job;
      this.inThread(c, ldc, a, b, depth, 0, rowTiles, columnTiles, lower ? 1 : 0);
      return;
    }
    Atomics.store(new Int32Array(this.memory.buffer, 0, 1), 0, 0);
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            const fail = (e: Error) => (w.off('message', done), reject(e));
            const done = () => (w.off('error', fail), resolve());
            w.once('message', done);
            w.once('error', fail);
            w.postMessage(job);
          }),
      ),
    );
  }

  close(): void {
    for (const w of this.workers) void w.terminate();
  }
}
