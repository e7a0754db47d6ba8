/**
 * Picks the fastest TensorFlow.js backend this machine has, best first: native CUDA
 * (`@tensorflow/tfjs-node-gpu`), native CPU (`@tensorflow/tfjs-node`), WebGPU (the
 * `webgpu` package, where a GPU adapter exists), wasm, cpu. The native packages are
 * optional dependencies; each rung that is missing or fails says why.
 */
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerScatterAddKernels } from './scatter-add';
import { registerBlockTileKernel } from './block-tile';
import { registerFusedAdamKernels } from './fused-adam';
import { registerRowGatherKernel } from './row-gather';
import { registerBatchMatMulKernel } from './batch-matmul';
import { registerFusedMatMulKernel } from './fused-matmul';
import { registerSharedCopyKernels } from './shared-copies';
import { registerLeadingReductionKernels } from './leading-reductions';
import { registerStridedCopyKernels } from './strided-copies';
import { registerReductionGradients } from './reduction-gradients';
import { registerDropoutMaskKernels } from './dropout-mask';
import { registerExponentialKernels } from './exponentials';
import { registerBinaryKernels } from './binary-ops';
import { registerFusedElementwiseKernels } from './fused-elementwise';
import { registerBatchedAffineGradient } from './batched-affine';

// Not named `require`: bundlers for the desktop app declare one of their own.
const requireHere = createRequire(import.meta.url);

export const BACKENDS = ['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKENDS)[number];

export interface BackendReport {
  backend: string;
  device: string;
  skipped: { backend: string; reason: string }[];
}

interface Rung {
  name: BackendChoice;
  /** Makes the backend available and returns the device it runs on. */
  load(): Promise<string>;
  /** The name TensorFlow.js registers the backend under. */
  tfName: string;
  /** Corrects the device once the backend runs, where only then it is known. */
  checkDevice?(device: string): string;
}

function nativeBinding(): { isUsingGpuDevice?(): boolean } | undefined {
  return (tf.backend() as unknown as { binding?: { isUsingGpuDevice?(): boolean } }).binding;
}

const cpuName = () => `${os.cpus()[0]?.model.trim() ?? 'CPU'} (${os.cpus().length} cores)`;

const RUNGS: Rung[] = [
  {
    name: 'tensorflow-gpu',
    tfName: 'tensorflow',
    async load() {
      requireHere('@tensorflow/tfjs-node-gpu');
      return 'GPU (CUDA, libtensorflow)';
    },
    // libtensorflow built for CUDA quietly runs on the CPU where it finds no usable GPU.
    checkDevice: (device) =>
      nativeBinding()?.isUsingGpuDevice?.() === false
        ? `${cpuName()}, libtensorflow (no CUDA GPU found)`
        : device,
  },
  {
    name: 'tensorflow',
    tfName: 'tensorflow',
    async load() {
      requireHere('@tensorflow/tfjs-node');
      return `${cpuName()}, libtensorflow`;
    },
  },
  {
    name: 'webgpu',
    tfName: 'webgpu',
    async load() {
      const dawn = requireHere('webgpu') as { create(flags: string[]): GPU; globals: object };
      Object.assign(globalThis, dawn.globals);
      const gpu = dawn.create([]);
      const adapter = await gpu.requestAdapter();
      if (!adapter) throw new Error('no GPU adapter');
      Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
      requireHere('@tensorflow/tfjs-backend-webgpu');
      return `GPU (WebGPU${adapter.info?.description ? `, ${adapter.info.description}` : ''})`;
    },
  },
  { name: 'wasm', tfName: 'wasm', load: async () => `${cpuName()}, WebAssembly` },
  { name: 'cpu', tfName: 'cpu', load: async () => `${cpuName()}, plain JavaScript` },
];

interface GPU {
  requestAdapter(): Promise<{ info?: { description?: string } } | null>;
}

/** Initialises TensorFlow.js; `preferred` (or RECLAB_TF_BACKEND) is tried first. */
export async function initTensorFlow(preferred = process.env.RECLAB_TF_BACKEND): Promise<BackendReport> {
  registerScatterAddKernels();
  registerBatchMatMulKernel();
  registerFusedMatMulKernel();
  registerRowGatherKernel();
  registerSharedCopyKernels();
  registerLeadingReductionKernels();
  registerStridedCopyKernels();
  registerBlockTileKernel();
  registerFusedAdamKernels();
  registerReductionGradients();
  registerDropoutMaskKernels();
  registerExponentialKernels();
  registerBinaryKernels();
  registerFusedElementwiseKernels();
  registerBatchedAffineGradient();
  const skipped: BackendReport['skipped'] = [];
  let ladder = RUNGS;
  if (preferred) {
    const start = RUNGS.findIndex((r) => r.name === preferred);
    if (start < 0) {
      skipped.push({
        backend: preferred,
        reason: `unknown backend; RECLAB_TF_BACKEND takes one of ${BACKENDS.join(', ')}`,
      });
    } else ladder = RUNGS.slice(start);
  }
  for (const rung of ladder) {
    try {
      const loaded = await rung.load();
      if (!(await tf.setBackend(rung.tfName))) throw new Error('the backend failed to initialise');
      await tf.ready();
      quietCpuBanner();
      return { backend: rung.tfName, device: rung.checkDevice?.(loaded) ?? loaded, skipped };
    } catch (e) {
      skipped.push({ backend: rung.name, reason: describeLoadError(e) });
    }
  }
  throw new Error(
    `No TensorFlow.js backend could be started: ${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')}`,
  );
}

function describeLoadError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'MODULE_NOT_FOUND') return 'not installed (optional dependency)';
  return (err?.message ?? String(e)).split('\n')[0];
}

/**
 * The cpu backend prints an install hint on first use; the kernel reports the backend in
 * its info instead of in the user's first output.
 */
function quietCpuBanner(): void {
  const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (cpu && 'firstUse' in cpu) cpu.firstUse = false;
}
