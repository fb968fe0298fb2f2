// The implicit RNN recurrence (torchidl's ImplicitRNNCell) as one differentiable op: x (batch, seq, p)
// and the implicit layer's A (n, n), B (n, p + hid), C (hid, n), D (hid, p + hid) give every hidden
// state h (batch, seq, hid). Each step solves X = relu(Ap X + B U), U = [x_t, h_{t-1}], by Picard
// iteration, where Ap is A scaled onto ||Ap||_inf <= kappa; h_t = C X + D U. The backward pass is
// implicit differentiation (one adjoint fixed point per step), not the unrolled iterations; the
// gradient of A is that of Ap passed straight through the projection, as torchidl does.
// One kernel per direction (assembly/implicit.ts, kernels/implicit.wgsl); convergence statistics come
// back with each (read asynchronously on WebGPU).
import { Tensor } from '../tensor.js';
import { record } from '../autograd.js';
import { formatShape, shapeError } from '../shape.js';
import { checkSameDevice } from './common.js';
import type { Backend } from '../backend/backend.js';
import { ArgumentError, describeValue } from '../errors.js';

/** Floats per batch row of the convergence statistics the implicit kernels write. */
export const IMPLICIT_STAT_WIDTH = 4;

/** How the fixed-point solves of one forward or backward call went. */
export interface ImplicitSolveStats {
  phase: 'forward' | 'backward';
  /** Solves run: batch * seq. */
  solves: number;
  /** Solves that stopped at the iteration limit with the step still >= tol. */
  unconverged: number;
  /** The largest final step (infinity norm) among the unconverged solves (NaN if one diverged to NaN). */
  maxResidual: number;
  /** Mean and largest number of iterations per solve. */
  meanIterations: number;
  maxIterations: number;
  tol: number;
  maxIter: number;
}

export interface ImplicitRnnOptions {
  maxIter?: number;
  tol?: number;
  gradMaxIter?: number;
  gradTol?: number;
  kappa?: number;
  /** Called after every forward and backward kernel with its convergence statistics. */
  onStats?: (stats: ImplicitSolveStats) => void;
}

function summarize(values: Float32Array, phase: 'forward' | 'backward', seq: number, tol: number, maxIter: number): ImplicitSolveStats {
  const rows = values.length / IMPLICIT_STAT_WIDTH;
  let unconverged = 0, maxResidual = 0, iterations = 0, maxIterations = 0;
  for (let r = 0; r < rows; r++) {
    const s = values.subarray(r * IMPLICIT_STAT_WIDTH, (r + 1) * IMPLICIT_STAT_WIDTH);
    unconverged += s[0];
    if (s[0] > 0 && (s[1] > maxResidual || Number.isNaN(s[1]))) maxResidual = s[1];
    iterations += s[2];
    maxIterations = Math.max(maxIterations, s[3]);
  }
  return { phase, solves: rows * seq, unconverged, maxResidual, meanIterations: iterations / (rows * seq), maxIterations, tol, maxIter };
}

/** Reads the stats (now where the device allows it, else when the read resolves) and frees them. */
function report(dev: Backend, stats: Tensor, phase: 'forward' | 'backward', seq: number, tol: number, maxIter: number,
  onStats: ((s: ImplicitSolveStats) => void) | undefined): void {
  if (!onStats) return;
  if (dev.syncRead) {
    onStats(summarize(dev.readSync(stats.buffer), phase, seq, tol, maxIter));
    return;
  }
  const storage = stats.storageRef().retain(); // outlives the op's scope until the read resolves
  dev.read(storage.buffer).then((v) => onStats(summarize(v, phase, seq, tol, maxIter))).finally(() => storage.release());
}

function positiveInt(where: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new ArgumentError(`${where}: ${name} must be a positive integer, got ${describeValue(v)}`);
}

function positive(where: string, name: string, v: number): void {
  if (!(v > 0) || !Number.isFinite(v)) throw new Error(`${where}: ${name} must be a positive number, got ${v}`);
}

/** Every hidden state (batch, seq, hid) of the implicit RNN over x (batch, seq, p). */
export function implicitRnn(x: Tensor, A: Tensor, B: Tensor, C: Tensor, D: Tensor, options: ImplicitRnnOptions = {},
  where = 'implicitRnn'): Tensor {
  const maxIter = options.maxIter ?? 300, tol = options.tol ?? 3e-6;
  const gradMaxIter = options.gradMaxIter ?? maxIter, gradTol = options.gradTol ?? tol;
  const kappa = options.kappa ?? 0.99;
  positiveInt(where, 'maxIter', maxIter);
  positiveInt(where, 'gradMaxIter', gradMaxIter);
  positive(where, 'tol', tol);
  positive(where, 'gradTol', gradTol);
  positive(where, 'kappa', kappa);
  if (A.ndim !== 2 || A.shape[0] !== A.shape[1] || A.shape[0] < 1) throw shapeError(where, 'A', '(n, n)', A.shape);
  const n = A.shape[0];
  if (C.ndim !== 2 || C.shape[1] !== n || C.shape[0] < 1) throw shapeError(where, 'C', `(hiddenDim, ${n})`, C.shape);
  const hid = C.shape[0];
  if (x.ndim !== 3 || x.shape[0] < 1 || x.shape[1] < 1 || x.shape[2] < 1) {
    throw shapeError(where, 'input', '(batch >= 1, seq >= 1, inputDim >= 1)', x.shape);
  }
  const [batch, seq, p] = x.shape;
  const q = p + hid;
  if (B.ndim !== 2 || B.shape[0] !== n || B.shape[1] !== q) throw shapeError(where, 'B', formatShape([n, q]), B.shape);
  if (D.ndim !== 2 || D.shape[0] !== hid || D.shape[1] !== q) throw shapeError(where, 'D', formatShape([hid, q]), D.shape);
  checkSameDevice(where, [x, A, B, C, D]);
  const dev = x.device;

  const h = Tensor.empty([batch, seq, hid], dev);
  const xs = Tensor.scratch([batch, seq, n], dev);
  const stats = Tensor.scratch([batch, IMPLICIT_STAT_WIDTH], dev);
  dev.implicit_forward({ x: x.buffer, a: A.buffer, b: B.buffer, c: C.buffer, d: D.buffer, xs: xs.buffer, h: h.buffer, stats: stats.buffer, batch, seq, inDim: p, n, hid, maxIter, tol, kappa });
  report(dev, stats, 'forward', seq, tol, maxIter, options.onStats);

  return record('implicitRnn', { inputs: { x, A, B, C, D }, outputs: { h }, saved: [x, A, B, C, D, xs, h], backward: ({ h: dh }) => {
    const want = (t: Tensor) => (t.requiresGrad ? Tensor.empty(t.shape, dev) : null);
    const [dx, dA, dB, dC, dD] = [x, A, B, C, D].map(want);
    const gradStats = Tensor.scratch([batch, IMPLICIT_STAT_WIDTH], dev);
    dev.implicit_backward({ x: x.buffer, a: A.buffer, b: B.buffer, c: C.buffer, d: D.buffer, xs: xs.buffer, h: h.buffer, dh: dh.buffer, dx: dx?.buffer ?? null, dA: dA?.buffer ?? null, dB: dB?.buffer ?? null, dC: dC?.buffer ?? null, dD: dD?.buffer ?? null, stats: gradStats.buffer, batch, seq, inDim: p, n, hid, maxIter: gradMaxIter, tol: gradTol, kappa });
    report(dev, gradStats, 'backward', seq, gradTol, gradMaxIter, options.onStats);
    return { x: dx, A: dA, B: dB, C: dC, D: dD };
  } }).h;
}

/** The transpose of a matrix (rows, cols) -> (cols, rows), differentiable. */
export function transpose2d(w: Tensor, where = 'transpose2d'): Tensor {
  if (w.ndim !== 2) throw shapeError(where, 'input', '(rows, cols)', w.shape);
  const dev = w.device;
  const [rows, cols] = w.shape;
  const y = Tensor.empty([cols, rows], dev);
  dev.transpose_2d({ src: w.buffer, dst: y.buffer, rows, cols });
  return record('transpose2d', { inputs: { w }, outputs: { y }, saved: [], backward: ({ y: g }) => {
    const dw = Tensor.empty(w.shape, dev);
    dev.transpose_2d({ src: g.buffer, dst: dw.buffer, rows: cols, cols: rows });
    return { w: dw };
  } }).y;
}
