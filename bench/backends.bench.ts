// Every Backend kernel on every available backend, side by side, plus the dispatches and submits a
// training step costs on WebGPU. Run: npm run bench:backends (add --quick for fewer repetitions).
//
// On machines without a GPU the WebGPU adapter is SwiftShader, a CPU emulation of a GPU: its times
// say nothing about GPU speed, and the table labels it so.
import * as rnam from '../src/index.js';
import { webgpuBackend } from '../test/helpers/backends.js';

const quick = process.argv.includes('--quick');
const TERMS = 8, BATCH = 16, SEQ = 256, HID = 8, ROWS = BATCH * SEQ, N = TERMS * ROWS * HID;

type Dev = rnam.Backend;
interface Case { name: string; setup(dev: Dev): () => void }

function filled(dev: Dev, n: number, seed: number, low = -1, high = 1): rnam.DeviceBuffer {
  const b = dev.alloc(n);
  dev.write(b, new rnam.Generator(seed).fillUniform(new Float32Array(n), low, high));
  return b;
}

const cases: Case[] = [
  { name: `linear_forward [${TERMS},${ROWS},${HID}]x[${TERMS},${HID},${2 * HID}]+b`, setup: (d) => {
    const x = filled(d, N, 1), w = filled(d, TERMS * HID * 2 * HID, 2), b = filled(d, TERMS * 2 * HID, 3), y = d.alloc(2 * N);
    return () => d.linear_forward({ x, w, b, y, terms: TERMS, rows: ROWS, inDim: HID, outDim: 2 * HID });
  } },
  { name: `linear_backward [${TERMS},${ROWS},${HID}]x[${TERMS},${HID},${2 * HID}] (dx, dw, db)`, setup: (d) => {
    const x = filled(d, N, 1), w = filled(d, TERMS * HID * 2 * HID, 2), dy = filled(d, 2 * N, 4);
    const dx = d.alloc(N), dw = d.alloc(TERMS * HID * 2 * HID), db = d.alloc(TERMS * 2 * HID);
    return () => d.linear_backward({ x, w, dy, dx, dw, db, terms: TERMS, rows: ROWS, inDim: HID, outDim: 2 * HID });
  } },
  { name: `mingru_scan_forward [${TERMS},${BATCH},${SEQ},${HID}]`, setup: (d) => {
    const hg = filled(d, 2 * N, 5, -3, 3), h = d.alloc(N);
    return () => d.mingru_scan_forward({ hg, h0: null, h, lengths: null, groups: TERMS * BATCH, seq: SEQ, dim: HID });
  } },
  { name: `mingru_scan_backward [${TERMS},${BATCH},${SEQ},${HID}]`, setup: (d) => {
    const hg = filled(d, 2 * N, 5, -3, 3), h = d.alloc(N), dh = filled(d, N, 6), dhg = d.alloc(2 * N);
    d.mingru_scan_forward({ hg, h0: null, h, lengths: null, groups: TERMS * BATCH, seq: SEQ, dim: HID });
    return () => d.mingru_scan_backward({ hg, h0: null, h, dh, dhg, dh0: null, lengths: null, groups: TERMS * BATCH, seq: SEQ, dim: HID });
  } },
  { name: `mingru_scan_forward [1,1,${SEQ * 16},${HID}] (few long sequences)`, setup: (d) => {
    const hg = filled(d, 2 * SEQ * 16 * HID, 5, -3, 3), h = d.alloc(SEQ * 16 * HID);
    return () => d.mingru_scan_forward({ hg, h0: null, h, lengths: null, groups: 1, seq: SEQ * 16, dim: HID });
  } },
  { name: `layer_norm_forward [${TERMS * ROWS},${HID}]`, setup: (d) => {
    const x = filled(d, N, 7), w = filled(d, HID, 8), b = filled(d, HID, 9), y = d.alloc(N), m = d.alloc(TERMS * ROWS), r = d.alloc(TERMS * ROWS);
    return () => d.layer_norm_forward({ x, w, b, y, mean: m, rstd: r, rows: TERMS * ROWS, dim: HID, eps: 1e-5 });
  } },
  { name: `layer_norm_backward [${TERMS * ROWS},${HID}] (dx, dw, db)`, setup: (d) => {
    const x = filled(d, N, 7), w = filled(d, HID, 8), b = filled(d, HID, 9), y = d.alloc(N), m = d.alloc(TERMS * ROWS), r = d.alloc(TERMS * ROWS);
    d.layer_norm_forward({ x, w, b, y, mean: m, rstd: r, rows: TERMS * ROWS, dim: HID, eps: 1e-5 });
    const dy = filled(d, N, 10), dx = d.alloc(N), dw = d.alloc(HID), db = d.alloc(HID);
    return () => d.layer_norm_backward({ x, w, mean: m, rstd: r, dy, dx, dw, db, rows: TERMS * ROWS, dim: HID, eps: 1e-5 });
  } },
  { name: `unary_forward sigmoid [${N}]`, setup: (d) => { const x = filled(d, N, 11), y = d.alloc(N); return () => d.unary_forward({ x, y, n: N, op: rnam.Unary.sigmoid }); } },
  { name: `unary_backward sigmoid [${N}]`, setup: (d) => {
    const x = filled(d, N, 11), y = d.alloc(N), dy = filled(d, N, 12), dx = d.alloc(N);
    d.unary_forward({ x, y, n: N, op: rnam.Unary.sigmoid });
    return () => d.unary_backward({ x, y, dy, dx, n: N, op: rnam.Unary.sigmoid });
  } },
  { name: `binary_forward mul [${N}]`, setup: (d) => { const a = filled(d, N, 13), b = filled(d, N, 14), y = d.alloc(N); return () => d.binary_forward({ a, b, out: y, n: N, op: rnam.Binary.mul }); } },
  { name: `binary_backward mul [${N}]`, setup: (d) => {
    const a = filled(d, N, 13), b = filled(d, N, 14), dy = filled(d, N, 15), da = d.alloc(N), db = d.alloc(N);
    return () => d.binary_backward({ a, b, dy, da, db, n: N, op: rnam.Binary.mul });
  } },
  { name: `affine_scalar [${N}]`, setup: (d) => { const x = filled(d, N, 16), y = d.alloc(N); return () => d.affine_scalar({ x, out: y, n: N, scale: 2, shift: 1 }); } },
  { name: `fill [${N}]`, setup: (d) => { const y = d.alloc(N); return () => d.fill({ out: y, n: N, value: 0.5 }); } },
  { name: `copy_rows [${TERMS * BATCH},${SEQ},${HID}] last step`, setup: (d) => {
    const x = filled(d, N, 17), y = d.alloc(TERMS * BATCH * HID);
    return () => d.copy_rows({ src: x, dst: y, outer: TERMS * BATCH, srcN: SEQ, dstN: 1, inner: HID, srcStart: SEQ - 1, dstStart: 0, count: 1 });
  } },
  { name: `sum_all [${N}]`, setup: (d) => { const x = filled(d, N, 18), s = d.alloc(1); return () => d.sum_all({ x, out: s, n: N }); } },
  { name: `sum_rows [${TERMS * ROWS},${HID}]`, setup: (d) => { const x = filled(d, N, 19), s = d.alloc(HID); return () => d.sum_rows({ x, y: s, rows: TERMS * ROWS, inner: HID }); } },
  { name: `add_row_vector [${TERMS * ROWS},${HID}]`, setup: (d) => {
    const x = filled(d, N, 20), v = filled(d, HID, 21), y = d.alloc(N);
    return () => d.add_row_vector({ x, v, y, rows: TERMS * ROWS, inner: HID });
  } },
  { name: `mse_forward [${N}]`, setup: (d) => { const a = filled(d, N, 22), b = filled(d, N, 23), s = d.alloc(1); return () => d.mse_forward({ a, b, out: s, n: N }); } },
  { name: `mse_backward [${N}]`, setup: (d) => {
    const a = filled(d, N, 22), b = filled(d, N, 23), g = filled(d, 1, 24), da = d.alloc(N);
    return () => d.mse_backward({ a, b, dOut: g, da, db: null, n: N });
  } },
  { name: `sum_squares_accumulate [${N}]`, setup: (d) => { const x = filled(d, N, 25), s = d.alloc(1); d.fill({ out: s, n: 1, value: 0 }); return () => d.sum_squares_accumulate({ x, acc: s, n: N }); } },
  { name: `sgd_step momentum [${N}]`, setup: (d) => {
    const p = filled(d, N, 26), g = filled(d, N, 27), b = d.alloc(N); d.fill({ out: b, n: N, value: 0 });
    return () => d.sgd_step({ p, g, buf: b, skip: null, n: N, lr: 1e-3, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false, firstStep: false });
  } },
  { name: `adam_step AdamW [${N}]`, setup: (d) => {
    const p = filled(d, N, 28), g = filled(d, N, 29), m = d.alloc(N), v = d.alloc(N); d.fill({ out: m, n: N, value: 0 }); d.fill({ out: v, n: N, value: 0 });
    return () => d.adam_step({ p, g, m, v, skip: null, n: N, lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled: true, stepSize: 1e-3, bc2Sqrt: 0.5 });
  } },
  { name: `clip_scale [${N}]`, setup: (d) => { const g = filled(d, N, 30), s = filled(d, 1, 31, 100, 101); return () => d.clip_scale({ g, n: N, sumSq: s, maxNorm: 1 }); } },
];

async function finish(dev: Dev): Promise<void> {
  if (dev instanceof rnam.WebGPUBackend) await dev.sync();
}

/** Milliseconds per call: repeated calls, then one wait for the device to finish. */
async function time(dev: Dev, fn: () => void): Promise<number> {
  fn();
  await finish(dev); // warm-up: pipeline compilation, first-touch allocation
  const reps = quick ? 3 : 10;
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) fn();
  await finish(dev);
  return (performance.now() - t0) / reps;
}

const devices: Dev[] = [rnam.cpu];
const g = await webgpuBackend();
if (typeof g === 'string') console.log(`WebGPU: not available (${g}); wasm only.`);
else devices.push(g);

console.log(`rnam backends benchmark: Node ${process.version}${quick ? ', --quick' : ''}`);
for (const d of devices) {
  const note = d instanceof rnam.WebGPUBackend && d.cpuEmulation
    ? '  <- a CPU emulation of a GPU (SwiftShader): correctness only, no GPU speed conclusions' : '';
  console.log(`- ${d.kind}: ${d.description}${note}`);
}
console.log(`\n| kernel | ${devices.map((d) => `${d.kind} ms`).join(' | ')} |`);
console.log(`|---|${devices.map(() => '---:').join('|')}|`);
for (const c of cases) {
  const cells: string[] = [];
  for (const d of devices) cells.push((await time(d, c.setup(d))).toFixed(3));
  console.log(`| ${c.name} | ${cells.join(' | ')} |`);
}

/** Dispatches and submits of one training step on WebGPU (forward, backward, optimizer step, loss read). */
async function stepCounts(gpu: rnam.WebGPUBackend, label: string, make: () => { model: rnam.Module; step: () => rnam.Tensor }): Promise<void> {
  const { model, step } = make();
  const opt = new rnam.AdamW(model.parameters(), { lr: 1e-3 });
  const once = async () => {
    const loss = step();
    loss.backward();
    opt.step();
    opt.zeroGrad();
    await loss.item();
    loss.dispose();
  };
  await once(); // warm-up: optimizer state, pipelines
  gpu.resetStats();
  await once();
  const s = gpu.stats();
  console.log(`| ${label} | ${s.dispatches} | ${s.submits} | ${s.copies} |`);
}

if (typeof g !== 'string') {
  console.log('\nWebGPU work per training step (forward + backward + AdamW step + reading the loss):\n');
  console.log('| model | dispatches | submits | buffer copies |');
  console.log('|---|---:|---:|---:|');
  const x = rnam.tensor(new rnam.Generator(40).fillUniform(new Float32Array(TERMS * 4 * 64), -1, 1), [TERMS, 4, 64, 1], { device: g });
  await stepCounts(g, `Linear(8,1,8) -> MinGRU(8,8) -> Linear(8,8,1), x [8,4,64,1]`, () => {
    rnam.manualSeed(1);
    const model = new rnam.Sequential(new rnam.Linear(TERMS, 1, HID), new rnam.Linear(TERMS, HID, HID)).to(g);
    const gru = new rnam.MinGRU(TERMS, HID).to(g), head = new rnam.Linear(TERMS, HID, 1).to(g);
    const all = new (class extends rnam.Module {
      constructor() { super(); this.registerModule('a', model); this.registerModule('gru', gru); this.registerModule('head', head); }
      forward(t: rnam.Tensor): rnam.Tensor { return head.forward(gru.forward(model.forward(t))[0]); }
    })();
    return { model: all, step: () => rnam.mean(rnam.square(all.forward(x))) };
  });
  await stepCounts(g, 'FirstOrderRNAM(terms 8, hidden 8, blocks 4), x [8,4,64,1]', () => {
    rnam.manualSeed(1);
    const model = new rnam.FirstOrderRNAM({ terms: TERMS, hiddenDim: HID, outDim: 1, blocks: 4 }).to(g);
    const y = rnam.zeros([4, 1], { device: g });
    return { model, step: () => rnam.mseLoss(model.forward(x)[0], y) };
  });
}
