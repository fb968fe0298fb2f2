// One side of bench/paired.bench.ts: loads rnam from the given source entry (this checkout's or
// another's), times the seed model's training step or forward at one size and prints one JSON line:
// the median wall time and the median CPU time (every thread of the process) per call.
//   node --import tsx bench/paired-child.ts --src ../other/src/index.ts --kind train|forward --batch 32 --seq 256 --reps 5
import { parseArgs } from 'node:util';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { median } from './peer-common.js';

const { values: a } = parseArgs({
  options: { src: { type: 'string' }, kind: { type: 'string', default: 'train' }, batch: { type: 'string', default: '32' },
    seq: { type: 'string', default: '256' }, reps: { type: 'string', default: '5' } },
});
const rnam = (await import(pathToFileURL(path.resolve(a.src!)).href)) as typeof import('../src/index.js');
const [batch, seq, reps] = [Number(a.batch), Number(a.seq), Number(a.reps)];

rnam.manualSeed(0);
const model = new rnam.FirstOrderRNAM({ terms: 8, hiddenDim: 8, outDim: 1, blocks: 4 });
const gen = new rnam.Generator(1);
const x = rnam.tensor(gen.fillUniform(new Float32Array(8 * batch * seq), -1, 1), [8, batch, seq, 1]);
const y = rnam.tensor(gen.fillUniform(new Float32Array(batch), -1, 1), [batch, 1]);
const opt = new rnam.AdamW(model.parameters(), { lr: 1e-3 });
await rnam.cpu.ready();

const step = a.kind === 'train'
  ? async () => {
    const l = rnam.tidy(() => {
      opt.zeroGrad();
      const v = rnam.mseLoss(model.forward(x)[0], y);
      v.backward();
      opt.step();
      return v;
    });
    await l.item();
    l.dispose();
  }
  : async () => {
    const out = rnam.noGrad(() => rnam.tidy(() => model.forward(x)[0]));
    await out.toArray();
    out.dispose();
  };

await step();
const wall: number[] = [], cpu: number[] = [];
for (let i = 0; i < reps; i++) {
  const c0 = process.cpuUsage(), t0 = performance.now();
  await step();
  const c = process.cpuUsage(c0);
  wall.push(performance.now() - t0);
  cpu.push((c.user + c.system) / 1000);
}
console.log(JSON.stringify({ wall_ms: median(wall), cpu_ms: median(cpu), reps }));
