/**
 * The part of the WebAssembly JS API the kernels use (Node has it; @types/node 20 does not
 * declare it, and the DOM library would bring much else).
 */
declare namespace WebAssembly {
  class Module {
    constructor(bytes: BufferSource);
  }
  interface MemoryDescriptor {
    initial: number;
    maximum?: number;
    shared?: boolean;
  }
  class Memory {
    constructor(descriptor: MemoryDescriptor);
    readonly buffer: ArrayBuffer | SharedArrayBuffer;
  }
  type ExportValue = ((...args: number[]) => number) | Memory;
  class Instance {
    constructor(module: Module, imports?: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, ExportValue>;
  }
  type BufferSource = ArrayBufferView | ArrayBuffer;
}
