// The public API of rnam: everything is exported from the package root.
export { Tensor, type GradNode } from './tensor.js';
export type { Backend, BackendKind, DeviceBuffer } from './backend/backend.js';
export { WasmBackend, type WasmBackendOptions } from './backend/wasm.js';
export { device, deviceReason, cpu, type DeviceKind } from './backend/select.js';
export { tensor, zeros, ones, full, toDevice, type TensorOptions } from './creation.js';
export { noGrad, isGradEnabled } from './autograd.js';
export { tidy } from './memory.js';
export { Generator, manualSeed, defaultGenerator } from './random.js';
export { ShapeError, type Shape } from './shape.js';
export { linear } from './ops/linear.js';
export { mingruScan } from './ops/mingru.js';
export { reshape, slice, cat } from './ops/shape.js';
export { add } from './ops/elementwise.js';
export { Module, type LoadStateDictOptions } from './nn/module.js';
export { Linear, type LinearOptions } from './nn/linear.js';
export { MinGRU, type MinGRUOptions } from './nn/mingru.js';
