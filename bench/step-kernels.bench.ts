// The wasm kernels of the seed model's training step at batch 32, seq 256 (terms 8, hidden 8), called
// straight on two builds of the module, one thread: the fused block's forward and backward (one
// block), and the last block's kernels (its minGRU projection forward and backward, the scan both
// ways) and the embedding's. Each round runs every kernel of A, then of B (alternating which goes
// first), each a few times; the table gives the least CPU time of a call over all rounds (on a shared
// machine the least is the steadiest estimate of a kernel's own cost) and B / A. It also compares
// every output of A and B bit for bit: a change that should keep the results must print "same".
//   node --import tsx bench/step-kernels.bench.ts --base <another checkout, built> [--rounds 6] [--reps 10]
//   (or --a <file.wasm> --b <file.wasm>; B defaults to this checkout's build/rnam.wasm)
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { REDUCTION_CHUNK_ROWS as CHUNK } from '../src/backend/wasm/chunked-reduction.js';
import { backwardScratch, forwardScratch } from '../src/backend/wasm/plans/rnamblock.js';
import { cpuDetails } from './floor/machine.js';

const { values: a } = parseArgs({
  options: { base: { type: 'string' }, a: { type: 'string' }, b: { type: 'string' }, rounds: { type: 'string', default: '6' }, reps: { type: 'string', default: '10' } },
});
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fileA = a.a ?? (a.base ? path.resolve(a.base, 'build/rnam.wasm') : null);
if (!fileA) throw new Error('--base DIR (another checkout, built) or --a FILE.wasm is required');
const fileB = a.b ?? path.join(root, 'build/rnam.wasm');
const [rounds, reps] = [Number(a.rounds), Number(a.reps)];

const [T, B, S, H] = [8, 32, 256, 8];
const G = T * B, N = G * S * H, rows = B * S;
const linChunks = Math.ceil(rows / CHUNK), lnChunks = Math.ceil(G * S / CHUNK);

type Exports = Record<string, (...args: number[]) => number>;

/** One module on its own memory, with the step's tensors filled from a fixed generator. */
function side(file: string) {
  const memory = new WebAssembly.Memory({ initial: 1024 });
  const e = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(file)), { env: { memory } }).exports as unknown as Exports;
  let top = (e.heap_base() + 255) & ~255;
  let seed = 1;
  const f32 = () => new Float32Array(memory.buffer);
  const buf = (n: number, scale = 0) => {
    const p = top;
    top += (n * 4 + 255) & ~255;
    if (top > memory.buffer.byteLength) memory.grow(Math.ceil((top - memory.buffer.byteLength) / 65536));
    const v = f32();
    for (let i = 0; i < n; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      v[p / 4 + i] = scale ? (seed / 2 ** 32 - 0.5) * scale : 0;
    }
    return { p, n };
  };
  const t = {
    x: buf(N, 2), h: buf(N), out: buf(N), dout: buf(N, 1), dx: buf(N),
    wg: buf(T * H * 2 * H, 1), lnw: buf(H, 1), lnb: buf(H, 1), w1: buf(T * H * H, 1), b1: buf(T * H, 1), w2: buf(T * H * H, 1), b2: buf(T * H, 1),
    dwg: buf(T * linChunks * 2 * H * H), dw1: buf(T * linChunks * H * H), db1: buf(T * linChunks * H), dw2: buf(T * linChunks * H * H),
    db2: buf(T * linChunks * H), dlnw: buf(lnChunks * H), dlnb: buf(lnChunks * H),
    scratch: buf(Math.max(forwardScratch(H), backwardScratch(S, H))), hz: buf(2 * N),
    hg: buf(2 * N), hs: buf(N), dh: buf(N, 1), dhg: buf(2 * N), dxs: buf(N), dwp: buf(T * linChunks * 2 * H * H),
    e: buf(G * S, 1), we: buf(T * H, 1), be: buf(T * H, 1), ye: buf(N), dwe: buf(T * linChunks * H), dbe: buf(T * linChunks * H),
  };
  // The block's arguments that later builds added before the scratch, by the export's arity: lengths
  // (none here), then hz (the minGRU kept for backward).
  const blockExtras = (fn: (...args: number[]) => number, oldest: number) => [0, t.hz.p].slice(0, fn.length - oldest);
  const zero = (...bs: { p: number; n: number }[]) => { for (const b of bs) f32().fill(0, b.p / 4, b.p / 4 + b.n); };
  const at = (b: { p: number }, floats: number) => b.p + 4 * floats;
  const kernels: Record<string, () => void> = {
    'rnam_block_forward (one block)': () => e.rnam_block_forward(t.x.p, t.wg.p, t.lnw.p, t.lnb.p, t.w1.p, t.b1.p, t.w2.p, t.b2.p, t.h.p, t.out.p,
      ...blockExtras(e.rnam_block_forward, 17), t.scratch.p, 0, G, B, S, H, 1e-5),
    'rnam_block_backward (one block)': () => {
      zero(t.dwg, t.dw1, t.db1, t.dw2, t.db2, t.dlnw, t.dlnb);
      e.rnam_block_backward(t.x.p, t.h.p, t.dout.p, t.wg.p, t.lnw.p, t.lnb.p, t.w1.p, t.b1.p, t.w2.p, t.dx.p, t.dwg.p, t.dlnw.p, t.dlnb.p,
        t.dw1.p, t.db1.p, t.dw2.p, t.db2.p, ...blockExtras(e.rnam_block_backward, 26), t.scratch.p, 0, G, B, S, H, CHUNK, linChunks, 1e-5);
    },
    'linear_forward 8 -> 16 (minGRU projection)': () => e.linear_forward(t.x.p, t.wg.p, 0, t.hg.p, T, rows, H, 2 * H),
    'mingru_scan_forward': () => e.mingru_scan_forward(t.hg.p, 0, t.hs.p, 0, G, S, H),
    'mingru_scan_backward': () => e.mingru_scan_backward(t.hg.p, 0, t.hs.p, t.dh.p, t.dhg.p, 0, 0, G, S, H),
    'linear_backward 8 -> 16 (dx, dw; per chunk)': () => {
      for (let k = 0; k < T; k++) for (let c = 0; c < linChunks; c++) {
        const r0 = k * rows + c * CHUNK, n = Math.min(CHUNK, rows - c * CHUNK);
        e.linear_backward(at(t.x, r0 * H), at(t.wg, k * 2 * H * H), at(t.dhg, r0 * 2 * H), at(t.dxs, r0 * H), at(t.dwp, (k * linChunks + c) * 2 * H * H), 0, 1, n, H, 2 * H);
      }
    },
    'linear_backward 16 -> 8 (dw; per chunk)': () => {
      for (let k = 0; k < T; k++) for (let c = 0; c < linChunks; c++) {
        const r0 = k * rows + c * CHUNK, n = Math.min(CHUNK, rows - c * CHUNK);
        e.linear_backward(at(t.hg, r0 * 2 * H), 0, at(t.dh, r0 * H), 0, at(t.dwp, (k * linChunks + c) * 2 * H * H), 0, 1, n, 2 * H, H);
      }
    },
    'linear_forward 1 -> 8 (embedding)': () => e.linear_forward(t.e.p, t.we.p, t.be.p, t.ye.p, T, rows, 1, H),
    'linear_backward 1 -> 8 (dw, db; per chunk)': () => {
      for (let k = 0; k < T; k++) for (let c = 0; c < linChunks; c++) {
        const r0 = k * rows + c * CHUNK, n = Math.min(CHUNK, rows - c * CHUNK);
        e.linear_backward(at(t.e, r0), at(t.we, k * H), at(t.dh, r0 * H), 0, at(t.dwe, (k * linChunks + c) * H), at(t.dbe, (k * linChunks + c) * H), 1, n, 1, H);
      }
    },
  };
  const outputs = () => Object.fromEntries(Object.entries(t).filter(([k]) => k !== 'scratch' && k !== 'hz')
    .map(([k, b]) => [k, new Uint32Array(memory.buffer.slice(b.p, b.p + 4 * b.n))]));
  return { kernels, outputs };
}

const sides = { A: side(fileA), B: side(fileB) };
const best: Record<string, { A: number; B: number }> = {};
const cpuMs = (fn: () => void) => {
  const c0 = process.cpuUsage();
  fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};
for (const s of Object.values(sides)) for (const fn of Object.values(s.kernels)) fn(); // warm-up, and every output written once
for (let r = 0; r < rounds; r++) {
  for (const id of (r % 2 ? ['B', 'A'] : ['A', 'B']) as ('A' | 'B')[]) {
    for (const [name, fn] of Object.entries(sides[id].kernels)) {
      for (let i = 0; i < reps; i++) {
        const ms = cpuMs(fn);
        const e = (best[name] ??= { A: Infinity, B: Infinity });
        e[id] = Math.min(e[id], ms);
      }
    }
  }
}
const oa = sides.A.outputs(), ob = sides.B.outputs();
const differ = Object.keys(oa).filter((k) => oa[k].length !== ob[k].length || oa[k].some((v, i) => v !== ob[k][i]));

console.log(`# Step kernels, one thread: A = ${fileA}, B = ${fileB}\n`);
console.log(`${new Date().toISOString()}, ${cpuDetails()}, Node ${process.version}, load average ${os.loadavg().map((v) => v.toFixed(1)).join(' ')} at the end.`);
console.log(`Terms ${T}, batch ${B}, seq ${S}, hidden ${H}; least CPU time of a call over ${rounds} rounds of ${reps} calls per side.\n`);
console.log('| kernel | A ms | B ms | B / A |');
console.log('|---|---:|---:|---:|');
for (const [name, e] of Object.entries(best)) console.log(`| ${name} | ${e.A.toFixed(2)} | ${e.B.toFixed(2)} | ${(e.B / e.A).toFixed(3)} |`);
console.log(`\nOutputs of A and B: ${differ.length ? `DIFFER in ${differ.join(', ')}` : 'same, bit for bit'}.`);
