// The wasm backend's exports: every exported function of a family file is a kernel of
// src/kernels/spec.ts (or one of its wasmInternalSpec helpers), named like the Backend method and
// the WGSL entry point; scripts/check-kernels.mjs fails the build on an export the spec does not
// name or whose signature differs. Helpers a family file keeps to itself are not exported.
export * from "./linear";
export * from "./mingru";
export * from "./layernorm";
export * from "./unary";
export * from "./elementwise";
export * from "./reduce";
export * from "./optim";
export * from "./implicit";
export * from "./rnn";
export * from "./loss";
export * from "./rnamblock";

// First byte past the module's static data: the TypeScript allocator hands out memory from here.
export function heap_base(): usize {
  return __heap_base;
}
