// Every Backend kernel on every available backend, side by side, plus the dispatches and submits a
// training step costs on WebGPU. Run: npm run bench:backends (add --quick for fewer repetitions).
//
// On machines without a GPU the WebGPU adapter is SwiftShader, a CPU emulation of a GPU: its times
// say nothing about GPU speed, and the table labels it so.
import * as rnam from '../src/index.js';
import { webgpuBackend } from '../test/helpers/backends.js';
import { filled, kernelCases, type Case, type Dev } from './kernel-cases.js';

const quick = process.argv.includes('--quick');
const TERMS = 8, BATCH = 16, SEQ = 256, HID = 8;

const cases: Case[] = [
  ...kernelCases({ terms: TERMS, batch: BATCH, seq: SEQ, hid: HID }),
  { name: `mingru_scan_forward [1,1,${SEQ * 16},${HID}] (few long sequences)`, setup: (d) => {
    const hg = filled(d, 2 * SEQ * 16 * HID, 5, -3, 3), h = d.alloc(SEQ * 16 * HID);
    return () => d.mingru_scan_forward({ hg, h0: null, h, lengths: null, groups: 1, seq: SEQ * 16, dim: HID });
  } },
];

async function finish(dev: Dev): Promise<void> {
  if (dev instanceof rnam.WebGPUBackend) await dev.sync();
}

/** Milliseconds per call: repeated calls, then one wait for the device to finish. */
async function time(dev: Dev, fn: () => unknown): Promise<number> {
  await fn();
  await finish(dev); // warm-up: pipeline compilation, first-touch allocation
  const reps = quick ? 3 : 10;
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) await fn();
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
