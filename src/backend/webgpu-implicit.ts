// The implicit RNN's kernels on WebGPU (kernels/implicit.wgsl; the ImplicitKernels interface):
// WebGPUBackend's implicit_* methods delegate here with the few of its internals they need.
//
// forward:  implicit_prepare_norm + implicit_prepare (the projected A and transposes, on the GPU),
//           then implicit_forward: one workgroup per batch row, the whole time loop in one dispatch.
// backward: the same prepare, implicit_backward (one workgroup per group of consecutive rows, each
//           writing its own partial parameter gradients), implicit_backward_reduce (the groups
//           summed in order). The convergence statistics are written per row as on the CPU.
import type { DeviceBuffer } from './backend.js';

type Field = number | [number];
type Arg = readonly ['r' | 'w', DeviceBuffer | null];

/** What the implicit kernels need of WebGPUBackend. */
export interface ImplicitGpu {
  run(file: string, entry: string, grid: readonly [number, number, number], fields: readonly Field[], args: readonly Arg[], wg?: number): void;
  run1d(file: string, entry: string, n: number, fields: readonly Field[], args: readonly Arg[]): void;
  alloc(numel: number): DeviceBuffer;
  free(buffer: DeviceBuffer): void;
}

/** The largest n (implicit units) and hid (hidden size) the WGSL kernels hold in workgroup memory. */
export const IMPLICIT_GPU_MAX_DIM = 1024;
/** partialCap: floats of partial parameter gradients the backward may allocate; beyond it, workgroups take several rows each (tests lower it). */
export const implicitGpuLimits = { partialCap: 1 << 24 };
const MAX_GROUPS = 65535;
const FILE = 'implicit';

function checkDims(entry: string, n: number, hid: number): void {
  if (n > IMPLICIT_GPU_MAX_DIM) {
    throw new Error(`WebGPU ${entry}: implicitHiddenDim ${n} is above the WGSL implicit kernels' limit of ${IMPLICIT_GPU_MAX_DIM} (use the wasm backend)`);
  }
  if (hid > IMPLICIT_GPU_MAX_DIM) {
    throw new Error(`WebGPU ${entry}: hiddenDim ${hid} is above the WGSL implicit kernels' limit of ${IMPLICIT_GPU_MAX_DIM} (use the wasm backend)`);
  }
}

/** Workgroup size: 64 invocations for small layers (each owns up to 16 units), 256 for larger ones. */
const workgroup = (n: number, hid: number): number => (Math.max(n, hid) > 128 ? 256 : 64);

interface Flags { rpg?: number; groups?: number; dx?: unknown; dA?: unknown; dB?: unknown; dC?: unknown; dD?: unknown; total?: number }

/** The ImpParams uniform of kernels/implicit.wgsl. */
function fields(batch: number, seq: number, p: number, n: number, hid: number, maxIter: number, tol: number, kappa: number,
  f: Flags = {}): Field[] {
  return [batch, seq, p, n, hid, maxIter, [tol], [kappa], f.rpg ?? 1, f.groups ?? 1, f.dx ? 1 : 0, f.dA ? 1 : 0,
    f.dB ? 1 : 0, f.dC ? 1 : 0, f.dD ? 1 : 0, f.total ?? 0];
}

/** Ap | At | Bt | Ct | Dt | B | C | D | scale, written on the GPU. */
function prepare(gpu: ImplicitGpu, a: DeviceBuffer, b: DeviceBuffer, c: DeviceBuffer, d: DeviceBuffer,
  p: number, n: number, hid: number, kappa: number): DeviceBuffer {
  const q = p + hid;
  const ws = gpu.alloc(2 * (n * n + q * n + n * hid + q * hid) + 1);
  const f = fields(0, 0, p, n, hid, 0, 0, kappa);
  const args: Arg[] = [['r', a], ['r', b], ['r', c], ['r', d], ['w', ws]];
  gpu.run(FILE, 'implicit_prepare_norm', [1, 1, 1], f, args, 256);
  gpu.run1d(FILE, 'implicit_prepare', n * n + n * q + hid * n + hid * q, f, args);
  return ws;
}

export function implicitForward(gpu: ImplicitGpu, x: DeviceBuffer, a: DeviceBuffer, b: DeviceBuffer, c: DeviceBuffer,
  d: DeviceBuffer, xs: DeviceBuffer, h: DeviceBuffer, stats: DeviceBuffer, batch: number, seq: number, p: number,
  n: number, hid: number, maxIter: number, tol: number, kappa: number): void {
  checkDims('implicit_forward', n, hid);
  const ws = prepare(gpu, a, b, c, d, p, n, hid, kappa);
  gpu.run(FILE, 'implicit_forward', [Math.min(batch, MAX_GROUPS), 1, 1], fields(batch, seq, p, n, hid, maxIter, tol, kappa),
    [['r', x], ['r', ws], ['w', xs], ['w', h], ['w', stats]], workgroup(n, hid));
  gpu.free(ws);
}

export function implicitBackward(gpu: ImplicitGpu, x: DeviceBuffer, a: DeviceBuffer, b: DeviceBuffer, c: DeviceBuffer,
  d: DeviceBuffer, xs: DeviceBuffer, h: DeviceBuffer, dh: DeviceBuffer, dx: DeviceBuffer | null, dA: DeviceBuffer | null,
  dB: DeviceBuffer | null, dC: DeviceBuffer | null, dD: DeviceBuffer | null, stats: DeviceBuffer,
  batch: number, seq: number, p: number, n: number, hid: number, maxIter: number, tol: number, kappa: number): void {
  checkDims('implicit_backward', n, hid);
  const q = p + hid;
  const total = n * n + n * q + hid * n + hid * q;
  // Rows per workgroup: 1 unless the partial gradients would exceed partialCap (or the grid its limit).
  const rpg = Math.max(1, Math.ceil(batch / Math.max(1, Math.floor(implicitGpuLimits.partialCap / total))), Math.ceil(batch / MAX_GROUPS));
  const groups = Math.ceil(batch / rpg);
  const ws = prepare(gpu, a, b, c, d, p, n, hid, kappa);
  const partial = gpu.alloc(groups * total);
  const f = fields(batch, seq, p, n, hid, maxIter, tol, kappa, { rpg, groups, dx, dA, dB, dC, dD, total });
  gpu.run(FILE, 'implicit_backward', [groups, 1, 1], f,
    [['r', x], ['r', ws], ['r', xs], ['r', h], ['r', dh], ['w', dx], ['w', partial], ['w', stats]], workgroup(n, hid));
  if (dA || dB || dC || dD) {
    gpu.run1d(FILE, 'implicit_backward_reduce', total, f, [['r', partial], ['w', dA], ['w', dB], ['w', dC], ['w', dD]]);
  }
  gpu.free(partial);
  gpu.free(ws);
}

export function implicitTranspose(gpu: ImplicitGpu, src: DeviceBuffer, dst: DeviceBuffer, rows: number, cols: number): void {
  gpu.run1d(FILE, 'implicit_transpose', rows * cols, [rows, cols], [['r', src], ['w', dst]]);
}
