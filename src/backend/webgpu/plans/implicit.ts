// The implicit RNN (kernels/implicit.wgsl).
// forward:  implicit_prepare_norm + implicit_prepare (the projected A and transposes, on the GPU),
//           then implicit_forward: one workgroup per batch row, the whole time loop in one dispatch.
// backward: the same prepare, implicit_backward (one workgroup per group of consecutive rows, each
//           writing its own partial parameter gradients), implicit_backward_reduce (the groups
//           summed in order). The convergence statistics are written per row as on the CPU.
import type { DeviceBuffer } from '../../backend.js';
import type { PassUniforms } from '../../../kernels/gpu-passes.js';
import { MAX_GROUPS, type GpuRuntime } from '../runtime.js';
import { flag, type FamilyPlans } from '../plan.js';

/** The largest n (implicit units) and hid (hidden size) the WGSL kernels hold in workgroup memory. */
const IMPLICIT_GPU_MAX_DIM = 1024;
/** partialCap: floats of partial parameter gradients the backward may allocate; beyond it, workgroups take several rows each (tests lower it). */
export const implicitGpuLimits = { partialCap: 1 << 24 };

function checkDims(pass: string, n: number, hid: number): void {
  if (n > IMPLICIT_GPU_MAX_DIM) {
    throw new Error(`WebGPU ${pass}: implicitHiddenDim ${n} is above the WGSL implicit kernels' limit of ${IMPLICIT_GPU_MAX_DIM} (use the wasm backend)`);
  }
  if (hid > IMPLICIT_GPU_MAX_DIM) {
    throw new Error(`WebGPU ${pass}: hiddenDim ${hid} is above the WGSL implicit kernels' limit of ${IMPLICIT_GPU_MAX_DIM} (use the wasm backend)`);
  }
}

/** Workgroup size: 64 invocations for small layers (each owns up to 16 units), 256 for larger ones. */
const workgroup = (n: number, hid: number): number => (Math.max(n, hid) > 128 ? 256 : 64);

interface Shape { batch: number; seq: number; inDim: number; n: number; hid: number; maxIter: number; tol: number; kappa: number }
type Backward = Partial<Pick<PassUniforms<'implicit_backward'>, 'rpg' | 'groups' | 'has_dx' | 'has_da' | 'has_db' | 'has_dc' | 'has_dd' | 'total'>>;

/** The ImpParams uniform every pass of implicit.wgsl shares; the backward's fields default to off. */
function impUniforms({ batch, seq, inDim, n, hid, maxIter, tol, kappa }: Shape, back: Backward = {}): PassUniforms<'implicit_forward'> {
  return {
    rows: batch, seq, p: inDim, n, hid, max_iter: maxIter, tol, kappa,
    rpg: 1, groups: 1, has_dx: 0, has_da: 0, has_db: 0, has_dc: 0, has_dd: 0, total: 0, ...back,
  };
}

/** Ap | At | Bt | Ct | Dt | B | C | D | scale, written on the GPU into a new buffer the caller frees. */
function prepare(rt: GpuRuntime, a: DeviceBuffer, b: DeviceBuffer, c: DeviceBuffer, d: DeviceBuffer, shape: Shape): DeviceBuffer {
  const { inDim: p, n, hid } = shape;
  const q = p + hid;
  const ws = rt.alloc(2 * (n * n + q * n + n * hid + q * hid) + 1);
  const uniforms = impUniforms({ ...shape, batch: 0, seq: 0, maxIter: 0, tol: 0 });
  const bindings = { p_a: a, p_b: b, p_c: c, p_d: d, p_ws: ws };
  rt.dispatch('implicit_prepare_norm', [1, 1, 1], uniforms, bindings, 256);
  rt.dispatch1d('implicit_prepare', n * n + n * q + hid * n + hid * q, uniforms, bindings);
  return ws;
}

export const implicitPlans: FamilyPlans<'implicit'> = {
  implicit_forward(rt, { x, a, b, c, d, xs, h, stats, ...shape }) {
    const { batch, n, hid } = shape;
    checkDims('implicit_forward', n, hid);
    const ws = prepare(rt, a, b, c, d, shape);
    rt.dispatch('implicit_forward', [Math.min(batch, MAX_GROUPS), 1, 1], impUniforms(shape),
      { f_x: x, f_ws: ws, f_xs: xs, f_h: h, f_stats: stats }, workgroup(n, hid));
    rt.free(ws);
  },
  implicit_backward(rt, { x, a, b, c, d, xs, h, dh, dx, dA, dB, dC, dD, stats, ...shape }) {
    const { batch, inDim: p, n, hid } = shape;
    checkDims('implicit_backward', n, hid);
    const q = p + hid;
    const total = n * n + n * q + hid * n + hid * q;
    // Rows per workgroup: 1 unless the partial gradients would exceed partialCap (or the grid its limit).
    const rpg = Math.max(1, Math.ceil(batch / Math.max(1, Math.floor(implicitGpuLimits.partialCap / total))), Math.ceil(batch / MAX_GROUPS));
    const groups = Math.ceil(batch / rpg);
    const ws = prepare(rt, a, b, c, d, shape);
    const partial = rt.alloc(groups * total);
    const uniforms = impUniforms(shape, {
      rpg, groups, has_dx: flag(dx), has_da: flag(dA), has_db: flag(dB), has_dc: flag(dC), has_dd: flag(dD), total,
    });
    rt.dispatch('implicit_backward', [groups, 1, 1], uniforms,
      { b_x: x, b_ws: ws, b_xs: xs, b_h: h, b_dh: dh, b_dx: dx, b_part: partial, b_stats: stats }, workgroup(n, hid));
    if (dA || dB || dC || dD) {
      rt.dispatch1d('implicit_backward_reduce', total, uniforms, { s_part: partial, s_da: dA, s_db: dB, s_dc: dC, s_dd: dD });
    }
    rt.free(partial);
    rt.free(ws);
  },
};
