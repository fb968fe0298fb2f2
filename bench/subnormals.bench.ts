// Subnormal gradients and what flushing them costs or saves: the seed's model (FirstOrderRNAM) on
// this build of the kernels and on a baseline build (e.g. one without the flush, copied from an
// older commit), both single-threaded in this process. Prints, for each build, the subnormal
// count of every gradient of one backward pass; the largest difference between the two builds'
// gradients; and paired timings of training steps (the builds alternate, CPU time), with a
// per-kernel profile over as many steps again.
// build/ is not committed: build the older commit and copy its build/rnam.wasm, then
//   node --import tsx bench/subnormals.bench.ts --baseline /tmp/old-rnam.wasm [--batch 32 --seq 256 --steps 7]
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import * as rnam from '../src/index.js';
import { median } from './steps.js';

const { values: a } = parseArgs({
  options: {
    baseline: { type: 'string' }, current: { type: 'string', default: new URL('../build/rnam.wasm', import.meta.url).pathname },
    batch: { type: 'string', default: '32' }, seq: { type: 'string', default: '256' }, steps: { type: 'string', default: '5' },
    terms: { type: 'string', default: '8' }, hidden: { type: 'string', default: '8' }, blocks: { type: 'string', default: '4' },
    low: { type: 'string', default: '-1' }, high: { type: 'string', default: '1' },
  },
});
if (!a.baseline) throw new Error('subnormals.bench: --baseline PATH (a build/rnam.wasm to compare with) is required');
const [batch, seq, steps, terms, hiddenDim, blocks, low, high] = [a.batch, a.seq, a.steps, a.terms, a.hidden, a.blocks, a.low, a.high].map(Number);

function countSubnormals(v: Float32Array): number {
  const u = new Uint32Array(v.buffer, v.byteOffset, v.length);
  let n = 0;
  for (let i = 0; i < u.length; i++) if ((u[i] & 0x7f800000) === 0 && (u[i] & 0x007fffff) !== 0) n++;
  return n;
}

interface Setup { label: string; dev: rnam.WasmBackend; model: rnam.FirstOrderRNAM; opt: rnam.AdamW; x: rnam.Tensor; xg: rnam.Tensor; y: rnam.Tensor }

async function setup(label: string, path: string): Promise<Setup> {
  const dev = await rnam.WasmBackend.create({ binary: readFileSync(path), label });
  rnam.manualSeed(0);
  const model = new rnam.FirstOrderRNAM({ terms, hiddenDim, outDim: 1, blocks }).to(dev);
  const gen = new rnam.Generator(1);
  const data = gen.fillUniform(new Float32Array(terms * batch * seq), low, high);
  const x = rnam.tensor(data, [terms, batch, seq, 1], { device: dev });
  const xg = rnam.tensor(data, [terms, batch, seq, 1], { device: dev, requiresGrad: true });
  const y = rnam.tensor(gen.fillUniform(new Float32Array(batch), -1, 1), [batch, 1], { device: dev });
  return { label, dev, model, opt: new rnam.AdamW(model.parameters(), { lr: 1e-3 }), x, xg, y };
}

/** Every gradient (input first) of one forward and backward pass from the initial weights. */
async function gradients(s: Setup): Promise<Float32Array[]> {
  s.opt.zeroGrad();
  rnam.mseLoss(s.model.forward(s.xg)[0], s.y).backward();
  return Promise.all([s.xg, ...s.model.parameters()].map((t) => t.grad!.toArray()));
}

async function step(s: Setup): Promise<number> {
  const t0 = process.cpuUsage();
  const l = rnam.tidy(() => {
    s.opt.zeroGrad();
    const v = rnam.mseLoss(s.model.forward(s.x)[0], s.y);
    v.backward();
    s.opt.step();
    return v;
  });
  await l.item();
  l.dispose();
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / 1000;
}

const base = await setup('baseline', a.baseline);
const cur = await setup('current', a.current);
console.log(`FirstOrderRNAM(terms ${terms}, hidden ${hiddenDim}, blocks ${blocks}), batch ${batch}, seq ${seq}, x ~ U(${low}, ${high}); `
  + `${os.cpus()[0]?.model ?? 'CPU'}, 1 thread, Node ${process.version}`);
console.log(`baseline ${a.baseline}\ncurrent  ${a.current}\n`);

const gb = await gradients(base), gc = await gradients(cur);
const names = ['input', ...base.model.namedParameters().map(([n]) => n)];
console.log('| gradient | elements | subnormal (baseline) | subnormal (current) | max abs diff | max abs diff / max abs | max rel diff where abs >= 1e-12 | differing | largest abs baseline value among them |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
let totals = [0, 0, 0], worstAbs = 0, worstRel = 0;
for (let i = 0; i < gb.length; i++) {
  const b = gb[i], c = gc[i];
  let maxAbs = 0, maxMag = 0, differing = 0, largestChanged = 0, maxElemRel = 0;
  for (let j = 0; j < b.length; j++) {
    const d = Math.abs(b[j] - c[j]);
    maxMag = Math.max(maxMag, Math.abs(b[j]));
    if (!(b[j] === c[j])) {
      differing++;
      maxAbs = Math.max(maxAbs, d);
      largestChanged = Math.max(largestChanged, Math.abs(b[j]));
      if (Math.abs(b[j]) >= 1e-12) maxElemRel = Math.max(maxElemRel, d / Math.abs(b[j]));
    }
  }
  const sb = countSubnormals(b), sc = countSubnormals(c);
  totals = [totals[0] + b.length, totals[1] + sb, totals[2] + sc];
  worstAbs = Math.max(worstAbs, maxAbs);
  const rel = maxMag > 0 ? maxAbs / maxMag : 0;
  worstRel = Math.max(worstRel, rel);
  console.log(`| ${names[i]} | ${b.length} | ${sb} | ${sc} | ${maxAbs.toExponential(2)} | ${rel.toExponential(2)} | ${maxElemRel.toExponential(2)} | ${differing} | ${largestChanged.toExponential(2)} |`);
}
console.log(`| all | ${totals[0]} | ${totals[1]} | ${totals[2]} | ${worstAbs.toExponential(2)} | ${worstRel.toExponential(2)} | | | |\n`);

if (steps > 0) {
  await step(base);
  await step(cur);
  const tb: number[] = [], tc: number[] = [];
  for (let i = 0; i < steps; i++) {
    // Alternate which build goes first, so drifts in machine load fall on both.
    if (i % 2 === 0) { tb.push(await step(base)); tc.push(await step(cur)); } else { tc.push(await step(cur)); tb.push(await step(base)); }
  }
  const mb = median(tb), mc = median(tc);
  console.log(`training step (AdamW), CPU ms, median of ${steps} paired: baseline ${mb.toFixed(0)}, current ${mc.toFixed(0)} (current/baseline ${(mc / mb).toFixed(3)})`);
  console.log(`  baseline ${tb.map((t) => t.toFixed(0)).join(' ')}\n  current  ${tc.map((t) => t.toFixed(0)).join(' ')}\n`);
  // Then the same number of steps with every kernel timed (the tables sum over the steps).
  const prof = [rnam.profileKernels(base.dev), rnam.profileKernels(cur.dev)];
  for (let i = 0; i < steps; i++) {
    await step(base);
    await step(cur);
  }
  for (const p of prof) p.stop();
  const [pb, pc] = prof.map((p) => p.table);
  const kernels = [...pb.keys()].sort((p, q) => pb.get(q)!.ms - pb.get(p)!.ms).slice(0, 10);
  console.log(`| kernel (sum over ${steps} steps) | baseline ms | current ms | current/baseline |\n|---|---:|---:|---:|`);
  for (const k of kernels) {
    const b = pb.get(k)!.ms, c = pc.get(k)?.ms ?? NaN;
    console.log(`| ${k} | ${b.toFixed(1)} | ${c.toFixed(1)} | ${(c / b).toFixed(2)} |`);
  }
}
