// Elman RNN, GRU and LSTM (kernels/rnn.wgsl): one dispatch per layer and direction, a workgroup
// per batch row looping over time inside the kernel, its invocations over hidden units, h_{t-1} in
// workgroup memory. gru_backward's dh0 and lstm_backward's dc0 enter holding h0 and dcN (the ops
// fill them), which the kernels read before using those buffers as the carries.
// The optional lengths (batch) bind as f_len / r_len; gru_backward and lstm_backward already use
// WebGPU's default 8 storage buffers, so there they travel after the batch * hidden floats of the
// dh0 binding: withLengthsAfter packs them into a scratch buffer and copies dh0 back afterwards.
import type { PassUniforms } from '../../../kernels/gpu-passes.js';
import type { DeviceBuffer } from '../../../kernels/types.js';
import type { GpuRuntime } from '../runtime.js';
import { flag, type FamilyPlans, type PlanTuning } from '../plan.js';
import { elementwisePlans } from './elementwise.js';

/** The largest hidden size: the kernels keep h_{t-1} and h_t in 2 x 1024 floats of workgroup memory. */
const MAX_HIDDEN = 1024;
const REC_WG = 64;

interface Layer { batch: number; seq: number; hidden: number; batchFirst: boolean }
interface Present { relu?: boolean; bias?: unknown; h0?: unknown; c0?: unknown; dout?: unknown; lengths?: unknown }

/** The RecParams uniform every pass of rnn.wgsl shares. */
function recUniforms({ batch, seq, hidden, batchFirst }: Layer, p: Present): PassUniforms<'rnn_forward'> {
  const [strideT, strideB] = batchFirst ? [1, seq] : [batch, 1];
  return {
    batch, seq, hidden, stride_t: strideT, stride_b: strideB, relu: flag(p.relu), has_bias: flag(p.bias),
    has_h0: flag(p.h0), has_c0: flag(p.c0), has_dout: flag(p.dout), has_len: flag(p.lengths),
  };
}

/**
 * Runs fn with dh0 itself (no lengths), or with a scratch (batch * hidden + batch) holding dh0's
 * entry values then the lengths, whose first batch * hidden floats are copied back into dh0.
 */
function withLengthsAfter(rt: GpuRuntime, tuning: PlanTuning, dh0: DeviceBuffer, lengths: DeviceBuffer | null,
  { batch, hidden }: Layer, fn: (packed: DeviceBuffer) => void): void {
  if (!lengths) {
    fn(dh0);
    return;
  }
  const n = batch * hidden;
  const copy = (src: DeviceBuffer, dst: DeviceBuffer, count: number, srcStart: number, dstStart: number, srcN: number, dstN: number) =>
    elementwisePlans.copy_rows(rt, { src, dst, outer: 1, srcN, dstN, inner: 1, srcStart, dstStart, count }, tuning);
  rt.withScratch(n + batch, (packed) => {
    copy(dh0, packed, n, 0, 0, n, n + batch);
    copy(lengths, packed, batch, 0, n, batch, n + batch);
    fn(packed);
    copy(packed, dh0, n, 0, 0, n + batch, n);
  });
}

/** One workgroup per batch row. */
function rows(pass: string, { batch, hidden }: Layer): readonly [number, number, number] {
  if (hidden > MAX_HIDDEN) throw new Error(`WebGPU ${pass}: hidden size ${hidden} is above the WGSL recurrent kernels' limit of ${MAX_HIDDEN}`);
  return [batch, 1, 1];
}

export const rnnPlans: FamilyPlans<'rnn'> = {
  rnn_forward(rt, { xg, whhT, bhh, h0, out, lengths, relu, ...layer }) {
    rt.dispatch('rnn_forward', rows('rnn_forward', layer), recUniforms(layer, { relu, bias: bhh, h0, lengths }),
      { f_xg: xg, f_whhT: whhT, f_bhh: bhh, f_h0: h0, f_c0: null, f_out: out, f_extra: null, f_len: lengths }, REC_WG);
  },
  rnn_backward(rt, { whh, out, dout, dg, dh0, lengths, relu, ...layer }) {
    rt.dispatch('rnn_backward', rows('rnn_backward', layer), recUniforms(layer, { relu, dout, lengths }),
      { r_whh: whh, r_out: out, r_dout: dout, r_dg: dg, r_dh0: dh0, r_len: lengths }, REC_WG);
  },
  gru_forward(rt, { xg, whhT, bhh, h0, out, hn, lengths, ...layer }) {
    rt.dispatch('gru_forward', rows('gru_forward', layer), recUniforms(layer, { bias: bhh, h0, lengths }),
      { f_xg: xg, f_whhT: whhT, f_bhh: bhh, f_h0: h0, f_c0: null, f_out: out, f_extra: hn, f_len: lengths }, REC_WG);
  },
  gru_backward(rt, { whh, gates, hn, out, dout, dgi, dgh, dh0, lengths, ...layer }, tuning) {
    const grid = rows('gru_backward', layer);
    withLengthsAfter(rt, tuning, dh0, lengths, layer, (packed) => rt.dispatch('gru_backward', grid, recUniforms(layer, { dout, lengths }),
      { g_whh: whh, g_gates: gates, g_hn: hn, g_out: out, g_dout: dout, g_dgi: dgi, g_dgh: dgh, g_dh0: packed }, REC_WG));
  },
  lstm_forward(rt, { xg, whhT, bhh, h0, c0, out, c, lengths, ...layer }) {
    rt.dispatch('lstm_forward', rows('lstm_forward', layer), recUniforms(layer, { bias: bhh, h0, c0, lengths }),
      { f_xg: xg, f_whhT: whhT, f_bhh: bhh, f_h0: h0, f_c0: c0, f_out: out, f_extra: c, f_len: lengths }, REC_WG);
  },
  lstm_backward(rt, { whh, gates, c, c0, dout, dg, dh0, dc0, lengths, ...layer }, tuning) {
    const grid = rows('lstm_backward', layer);
    withLengthsAfter(rt, tuning, dh0, lengths, layer, (packed) => rt.dispatch('lstm_backward', grid, recUniforms(layer, { c0, dout, lengths }),
      { l_whh: whh, l_gates: gates, l_c: c, l_c0: c0, l_dout: dout, l_dg: dg, l_dh0: packed, l_dc0: dc0 }, REC_WG));
  },
};
