// The CPU backend every tensor lands on unless told otherwise. A module of its own so that the core,
// nn/ and io/ reach it without importing the dispatcher (select.ts) and the WebGPU backend.
import { WasmBackend } from './wasm/backend.js';

/**
 * The default CPU backend. Lazy: the first tensor instantiates its kernels, and its worker threads
 * start then too (kernels run on the calling thread until they are ready); `await rnam.device('wasm')`
 * or `await cpu.ready()` waits for them.
 */
export const cpu: WasmBackend = new WasmBackend();
