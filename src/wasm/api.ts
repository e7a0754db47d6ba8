/** The WebAssembly API, which TypeScript declares only with the DOM library. */
interface WasmApi {
  Memory: new (size: { initial: number; maximum: number; shared: true }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: { env: { memory: WasmMemory } }) => { exports: object };
}

/** A module's memory: a shared one of our own, or another module's heap. */
export interface WasmMemory {
  readonly buffer: ArrayBufferLike;
}

export const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
