// Hand-assembled WebAssembly: the byte encoder the SIMD kernels are written with, and the
// WebAssembly API as this project uses it.
export { F32, I32, V128, increment, loop, moduleBytes, op, type WasmFunction } from './assembly';
export { onMemory, wasm, type WasmMemory } from './api';
