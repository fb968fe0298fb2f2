// The CPU backend every tensor lands on unless told otherwise. A module of its own so that the core,
// nn/ and io/ reach it without importing the dispatcher (select.ts) and the WebGPU backend.
import { WasmBackend } from './wasm.js';

/** The default CPU backend; ready when the package is imported. */
export const cpu: WasmBackend = await WasmBackend.create();
