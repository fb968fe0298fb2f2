// The wasm backend's exports. Each name is also the Backend method and the WGSL entry point.
export { linear_forward, linear_backward } from "./linear";
export { mingru_scan_forward, mingru_scan_backward } from "./mingru";
export { layer_norm_forward, layer_norm_backward } from "./layernorm";
export { unary_forward, unary_backward } from "./unary";
export { fill, binary_forward, binary_backward, affine_scalar, copy_rows, transpose_2d, count_nonfinite } from "./elementwise";
export { sum_all, sum_rows, add_row_vector, mse_forward, mse_backward, sum_squares_accumulate } from "./reduce";
export { sgd_step, adam_step, clip_scale } from "./optim";
export { implicit_prepare, implicit_forward, implicit_backward } from "./implicit";
export { rnn_forward, rnn_backward, gru_forward, gru_backward, lstm_forward, lstm_backward } from "./rnn";
export { rnam_block_forward, rnam_block_backward } from "./rnamblock";

// First byte past the module's static data: the TypeScript allocator hands out memory from here.
export function heap_base(): usize {
  return __heap_base;
}
