// TensorFlow.js set up for RecLab: the fastest backend this machine has, and the kernels
// RecLab registers on top of TensorFlow.js's own.
export { initTensorFlow } from './select-backend';
export type { BackendChoice, BackendReport } from './select-backend';
export { scatterAdd, SCATTER_ADD_KERNELS } from './scatter-add';
export { registerBatchMatMulKernel } from './batch-matmul';
export { registerFusedMatMulKernel } from './fused-matmul';
export { registerLeadingReductionKernels } from './leading-reductions';
export { registerSharedCopyKernels } from './shared-copies';
export { registerStridedCopyKernels } from './strided-copies';
export { registerRowGatherKernel } from './row-gather';
export { registerBlockTileKernel } from './block-tile';
export { FUSED_ADAM, fusedAdam, registerFusedAdamKernels } from './fused-adam';
export { REDUCTION_GRADIENTS, registerReductionGradients } from './reduction-gradients';
export { DROPOUT_MASK, dropoutMask, registerDropoutMaskKernels } from './dropout-mask';
export { registerExponentialKernels } from './exponentials';
export { registerBinaryKernels } from './binary-ops';
export { addcmul, lerp, FUSED_GRADIENTS, registerFusedElementwiseKernels } from './fused-elementwise';
export { batchedAffine, BATCHED_AFFINE_GRADIENT, registerBatchedAffineGradient } from './batched-affine';
