// Hand-assembled WebAssembly: the byte encoder the SIMD kernels are written with, and the
// WebAssembly API as this project uses it.
export { F32, I32, V128, loop, moduleBytes, op, uleb, type WasmFunction } from './assembly';
export { wasm, type WasmMemory } from './api';
