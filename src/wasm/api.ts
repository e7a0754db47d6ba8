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

/**
 * The functions of a module over another module's memory (its heap), compiled on first use and
 * instantiated once per memory asked for.
 */
export function onMemory<T>(bytes: () => Uint8Array): (memory: WasmMemory) => T {
  let compiled: object | undefined;
  return (memory) => {
    compiled ??= new wasm.Module(bytes());
    return new wasm.Instance(compiled, { env: { memory } }).exports as T;
  };
}
