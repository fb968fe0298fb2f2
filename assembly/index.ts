// The wasm backend's exports. Each name is also the Backend method and the WGSL entry point.
export { linear_forward, linear_backward } from "./linear";
export { mingru_scan_forward, mingru_scan_backward } from "./mingru";
export { fill, add, copy_rows, count_nonfinite } from "./elementwise";

// First byte past the module's static data: the TypeScript allocator hands out memory from here.
export function heap_base(): usize {
  return __heap_base;
}
