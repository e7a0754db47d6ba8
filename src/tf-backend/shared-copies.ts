/**
 * While a gradient is being taped, TensorFlow.js clones every tensor a backward pass will need
 * (the Identity kernel) and the gradients of many ops cast float32 values to float32; the cpu
 * backend answers both by sharing the values, the wasm backend copies them. In SASRec's step
 * that was a hundred copies of 1.6 MB, 8% of the time. Tensors are never written in place
 * (a variable's `assign` swaps its values for new ones), so sharing is safe here as it is
 * there. Strings and real casts keep the backend's own kernels.
 */
import type * as tf from '@tensorflow/tfjs';
import { wrapWasmKernel } from './kernel-memory';

interface SharingBackend {
  incRef(dataId: tf.DataId): void;
}

function share(x: tf.TensorInfo, backend: unknown): tf.TensorInfo {
  (backend as SharingBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export function registerSharedCopyKernels(): void {
  wrapWasmKernel('Identity', 'shares', (plain) => (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    return x.dtype === 'string' ? plain(args) : share(x, args.backend);
  });
  wrapWasmKernel('Cast', 'shares', (plain) => (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    return x.dtype === (args.attrs as { dtype: tf.DataType }).dtype && x.dtype !== 'string'
      ? share(x, args.backend)
      : plain(args);
  });
}
