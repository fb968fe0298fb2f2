// The seed model's last block, read at the last step only: the fused block over every step then
// lastStep (what FirstOrderRNAM ran before it skipped the unread feed-forward work) against the path
// it runs now (src/nn/rnam.ts, lastBlockAtLastStep: the minGRU over every step, the feed-forward half
// at the last step). Interleaved in one process (A, B, A, B, ...), forward + backward from the sum of
// the read step; medians of wall and CPU time (all threads) after a first untimed round.
//   node --import tsx bench/last-block.bench.ts [batch 128] [seq 1024] [rounds 8]
import * as rnam from '../src/index.js';
import { median } from './peer-common.js';

const [T, H] = [8, 8];
const [B, S, rounds] = [Number(process.argv[2] ?? 128), Number(process.argv[3] ?? 1024), Number(process.argv[4] ?? 8)];
rnam.manualSeed(0);
const block = new rnam.RNAMBlock(T, H);
const gen = new rnam.Generator(1);
const x = rnam.tensor(gen.fillUniform(new Float32Array(T * B * S * H), -1, 1), [T, B, S, H], { requiresGrad: true });
await rnam.cpu.ready();
const variants: Record<string, () => rnam.Tensor> = {
  'fused block, every step, then lastStep': () => rnam.lastStep(block.forward(x)),
  'minGRU every step, feed-forward at the last step': () => {
    const g = rnam.mingruLayer(x, block.gru.toHiddenAndGate.weight, null);
    const xl = rnam.lastStep(x);
    return rnam.add(xl, block.ff.forward(rnam.add(xl, rnam.lastStep(g))));
  },
};
const wall: Record<string, number[]> = {}, cpu: Record<string, number[]> = {}, fwd: Record<string, number[]> = {};
for (let r = 0; r <= rounds; r++) {
  for (const [k, f] of Object.entries(variants)) {
    block.zeroGrad();
    x.grad?.dispose();
    x.grad = null;
    const c0 = process.cpuUsage(), t0 = performance.now();
    let t1 = 0;
    rnam.tidy(() => { const y = f(); t1 = performance.now(); rnam.sum(y).backward(); });
    const c = process.cpuUsage(c0);
    if (r === 0) continue;
    (wall[k] ??= []).push(performance.now() - t0);
    (fwd[k] ??= []).push(t1 - t0);
    (cpu[k] ??= []).push((c.user + c.system) / 1000);
  }
}
console.log(`the last block of the seed model, terms ${T}, batch ${B}, seq ${S}, hidden ${H}, ${rnam.cpu.description}; median of ${rounds} interleaved rounds\n`);
console.log('| path | forward + backward ms | CPU ms | forward ms |\n|---|---:|---:|---:|');
for (const k of Object.keys(wall)) console.log(`| ${k} | ${median(wall[k]).toFixed(1)} | ${median(cpu[k]).toFixed(1)} | ${median(fwd[k]).toFixed(1)} |`);
