// The generated panels of the streaming benches (predict-stream, train-stream) and their child runs:
// ids x steps rows of id,t,x0..x{F-1},y written in blocks of whole ids, and the CLI run as a child
// whose peak RSS (VmHWM from /proc/self/status) it prints as it exits.
import { spawn } from 'node:child_process';
import { createWriteStream, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';

/** A fast deterministic uniform in [0, 1) (xorshift32): 10^9 cells must not wait on the generator. */
export function uniform(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

/**
 * Writes ids x steps rows: id,t,x0..x{F-1},y (y: a noisy sum of the id's levels); `prefixes` get the
 * header and the first `count` ids as files of their own (the training slice, the comparison file).
 */
export async function writeCsv(file: string, count: number, prefixes: { file: string; count: number }[], steps: number, F: number): Promise<number> {
  const outs = [{ file, count }, ...prefixes].map((p) => ({ ...p, out: createWriteStream(p.file) }));
  const u = uniform(12345);
  const header = ['id', 't', ...Array.from({ length: F }, (_, j) => `x${j}`), 'y'].join(',') + '\n';
  for (const o of outs) o.out.write(header);
  let block = '';
  const flush = async (e: number) => {
    for (const o of outs) if (e < o.count && !o.out.write(block)) await once(o.out, 'drain');
    block = '';
  };
  for (let e = 0; e < count; e++) {
    const level = Array.from({ length: F }, () => u() * 2 - 1);
    for (let t = 0; t < steps; t++) {
      let line = `e${e},${t}`, y = 0;
      for (let j = 0; j < F; j++) {
        line += ',' + (level[j] + (u() - 0.5) * 0.6).toFixed(3);
        y += (j % 2 === 0 ? 1 : -0.5) * level[j];
      }
      block += `${line},${(y + (u() - 0.5) * 0.2).toFixed(3)}\n`;
    }
    // Blocks end at id boundaries, so each prefix file holds whole ids.
    if (block.length > 1 << 20 || prefixes.some((p) => p.count === e + 1)) await flush(e);
  }
  await flush(count - 1);
  for (const o of outs) o.out.end();
  await Promise.all(outs.map((o) => once(o.out, 'finish')));
  return count * steps;
}

/** A preload script in `dir` that prints the process's peak RSS on exit (VmHWM, kB). */
export function peakPreload(dir: string): string {
  const preload = path.join(dir, 'peak.mjs');
  writeFileSync(preload, `import { readFileSync, writeSync } from 'node:fs';
process.on('exit', () => { const m = /VmHWM:\\s+(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8')); writeSync(2, 'VmHWM ' + (m ? m[1] : '?') + '\\n'); });
`);
  return preload;
}

/** Runs the CLI in a child with the preload: its wall time, peak RSS (MB) and stderr. */
export async function runCli(preload: string, bin: string, args: string[]): Promise<{ seconds: number; peakMb: number; stderr: string }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', preload, bin, ...args], { stdio: ['ignore', 'inherit', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const [code] = await once(child, 'close') as [number];
  const seconds = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`rnam ${args[0]} exited ${code}: ${err}`);
  const peak = /VmHWM (\d+)/.exec(err);
  return { seconds, peakMb: peak ? Number(peak[1]) / 1024 : NaN, stderr: err };
}
