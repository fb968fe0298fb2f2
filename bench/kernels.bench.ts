// Kernel benchmarks at the seed's sizes (terms 8, batch 128, seq 1024, hidden 8, inner 8/16),
// forward and backward, on the SIMD build and on a scalar build of the same kernels: the linear and
// minGRU kernels, and the fused RNAM block of the seed model (one block).
// Run: npm run bench   (add --quick for shorter sampling)
import Benchmark from 'benchmark';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import * as rnam from '../src/index.js';

const quick = process.argv.includes('--quick');
const TERMS = 8, BATCH = 128, SEQ = 1024, ROWS = BATCH * SEQ;

interface Workload {
  name: string;
  /** Work per call, for the rate column. */
  flops?: number;
  bytes?: number;
  setup(dev: rnam.Backend): () => void;
}

function filled(dev: rnam.Backend, n: number, gen: rnam.Generator, low = -1, high = 1): rnam.DeviceBuffer {
  const b = dev.alloc(n);
  dev.write(b, gen.fillUniform(new Float32Array(n), low, high));
  return b;
}

function linearWorkloads(inDim: number, outDim: number): Workload[] {
  const flops = 2 * TERMS * ROWS * inDim * outDim;
  const shape = `[${TERMS},${ROWS},${inDim}]x[${TERMS},${inDim},${outDim}]`;
  const buffers = (dev: rnam.Backend) => {
    const gen = new rnam.Generator(1);
    return {
      x: filled(dev, TERMS * ROWS * inDim, gen), w: filled(dev, TERMS * inDim * outDim, gen), b: filled(dev, TERMS * outDim, gen),
      y: dev.alloc(TERMS * ROWS * outDim), dx: dev.alloc(TERMS * ROWS * inDim), dw: dev.alloc(TERMS * inDim * outDim), db: dev.alloc(TERMS * outDim),
    };
  };
  return [
    {
      name: `linear_forward ${shape}+b`, flops,
      setup: (dev) => { const k = buffers(dev); return () => dev.linear_forward({ x: k.x, w: k.w, b: k.b, y: k.y, terms: TERMS, rows: ROWS, inDim, outDim }); },
    },
    {
      name: `linear_backward ${shape} (dx, dw, db)`, flops: 2 * flops,
      setup: (dev) => { const k = buffers(dev); return () => dev.linear_backward({ x: k.x, w: k.w, dy: k.y, dx: k.dx, dw: k.dw, db: k.db, terms: TERMS, rows: ROWS, inDim, outDim }); },
    },
  ];
}

function scanWorkloads(dim: number): Workload[] {
  const groups = TERMS * BATCH, n = groups * SEQ * dim;
  const buffers = (dev: rnam.Backend) => {
    const gen = new rnam.Generator(2);
    const k = { hg: filled(dev, 2 * n, gen, -3, 3), h: dev.alloc(n), dh: filled(dev, n, gen), dhg: dev.alloc(2 * n), h0: filled(dev, groups * dim, gen), dh0: dev.alloc(groups * dim) };
    dev.mingru_scan_forward({ hg: k.hg, h0: k.h0, h: k.h, lengths: null, groups, seq: SEQ, dim });
    return k;
  };
  const shape = `[${TERMS},${BATCH},${SEQ},${dim}]`;
  return [
    {
      name: `mingru_scan_forward ${shape}`, bytes: n * 4 * 3,
      setup: (dev) => { const k = buffers(dev); return () => dev.mingru_scan_forward({ hg: k.hg, h0: k.h0, h: k.h, lengths: null, groups, seq: SEQ, dim }); },
    },
    {
      name: `mingru_scan_backward ${shape}`, bytes: n * 4 * 6,
      setup: (dev) => { const k = buffers(dev); return () => dev.mingru_scan_backward({ hg: k.hg, h0: k.h0, h: k.h, dh: k.dh, dhg: k.dhg, dh0: k.dh0, lengths: null, groups, seq: SEQ, dim }); },
    },
  ];
}

function blockWorkloads(dim: number): Workload[] {
  const n = TERMS * BATCH * SEQ * dim, common = { lengths: null, terms: TERMS, batch: BATCH, seq: SEQ, dim, eps: 1e-5 };
  const buffers = (dev: rnam.Backend) => {
    const gen = new rnam.Generator(3);
    const k = {
      x: filled(dev, n, gen), wg: filled(dev, TERMS * dim * 2 * dim, gen, -0.5, 0.5), lnw: filled(dev, dim, gen), lnb: filled(dev, dim, gen),
      w1: filled(dev, TERMS * dim * dim, gen, -0.5, 0.5), b1: filled(dev, TERMS * dim, gen), w2: filled(dev, TERMS * dim * dim, gen, -0.5, 0.5),
      b2: filled(dev, TERMS * dim, gen), h: dev.alloc(n), out: dev.alloc(n), dout: filled(dev, n, gen, -0.01, 0.01), dx: dev.alloc(n),
      dwg: dev.alloc(TERMS * dim * 2 * dim), dlnw: dev.alloc(dim), dlnb: dev.alloc(dim), dw1: dev.alloc(TERMS * dim * dim),
      db1: dev.alloc(TERMS * dim), dw2: dev.alloc(TERMS * dim * dim), db2: dev.alloc(TERMS * dim), hz: dev.alloc(2 * n),
    };
    dev.rnam_block_forward({ ...k, ...common });
    return k;
  };
  const shape = `[${TERMS},${BATCH},${SEQ},${dim}]`;
  return [
    {
      name: `rnam_block_forward ${shape}`, bytes: n * 4 * 3,
      setup: (dev) => { const k = buffers(dev); return () => dev.rnam_block_forward({ ...k, ...common }); },
    },
    {
      name: `rnam_block_backward ${shape} (dx and every parameter gradient)`, bytes: n * 4 * 4,
      setup: (dev) => { const k = buffers(dev); return () => dev.rnam_block_backward({ ...k, ...common }); },
    },
  ];
}

const workloads: Workload[] = [
  ...linearWorkloads(1, 8), ...linearWorkloads(8, 8), ...linearWorkloads(8, 16), ...linearWorkloads(16, 8),
  ...scanWorkloads(8), ...scanWorkloads(16), ...blockWorkloads(8),
];

const simd = rnam.cpu;
await simd.ready(); // the worker threads, before anything is timed
const scalar = await rnam.WasmBackend.create({
  binary: readFileSync(new URL('../build/rnam-scalar.wasm', import.meta.url)), label: 'wasm scalar (same kernels, SIMD off)',
});

function measure(fn: () => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const bench = new Benchmark({ fn, maxTime: quick ? 0.5 : 2, minSamples: quick ? 3 : 8, onError: (e: any) => reject(e.target.error) });
    bench.on('complete', () => resolve(bench.stats.mean * 1000)).run();
  });
}

console.log(`rnam kernel benchmarks: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}`);
console.log(`backends: ${simd.description} vs ${scalar.description}\n`);
console.log('| kernel | SIMD ms | rate (SIMD) | scalar ms | SIMD speedup |');
console.log('|---|---:|---:|---:|---:|');
for (const w of workloads) {
  const tSimd = await measure(w.setup(simd));
  const tScalar = await measure(w.setup(scalar));
  const rate = w.flops ? `${(w.flops / tSimd / 1e6).toFixed(2)} GFLOP/s` : `${(w.bytes! / tSimd / 1e6).toFixed(2)} GB/s`;
  console.log(`| ${w.name} | ${tSimd.toFixed(2)} | ${rate} | ${tScalar.toFixed(2)} | ${(tScalar / tSimd).toFixed(2)}x |`);
}
