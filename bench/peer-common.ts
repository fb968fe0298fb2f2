// Shared by the child processes of bench/peers.bench.ts: argument parsing, the timing loop and the
// one JSON line each child prints as its last line of stdout.
import { parseArgs } from 'node:util';

export interface ChildArgs {
  workload: string;
  reps: number;       // target number of timed repetitions
  minReps: number;    // at least this many, even past the budget
  budget: number;     // seconds of timed repetitions after which we stop (once minReps is reached)
  profile: boolean;
  backend: string;    // tfjs backend: 'wasm' or 'cpu'
}

export function childArgs(): ChildArgs {
  const { values: v } = parseArgs({
    options: {
      workload: { type: 'string' }, reps: { type: 'string', default: '5' }, 'min-reps': { type: 'string', default: '3' },
      budget: { type: 'string', default: '20' }, profile: { type: 'boolean', default: false }, backend: { type: 'string', default: 'wasm' },
    },
  });
  if (!v.workload) throw new Error('--workload is required');
  return { workload: v.workload, reps: Number(v.reps), minReps: Number(v['min-reps']), budget: Number(v.budget), profile: v.profile, backend: v.backend };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((p, q) => p - q);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export interface Timing {
  median_s: number;
  times_s: number[];
  reps: number;
}

/** One warm-up call, then timed calls until `reps`, or until `budget` seconds once `minReps` are done. */
export async function measure(fn: () => unknown, a: Pick<ChildArgs, 'reps' | 'minReps' | 'budget'>): Promise<Timing> {
  await fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < a.reps && !(times.length >= a.minReps && (performance.now() - start) / 1000 > a.budget)) {
    const t = performance.now();
    await fn();
    times.push((performance.now() - t) / 1000);
  }
  return { median_s: median(times), times_s: times, reps: times.length };
}

/** The child's result: printed as the last line of stdout, with this process's peak RSS. */
export function report(fields: Record<string, unknown>): void {
  console.log(JSON.stringify({ ...fields, peak_rss_bytes: process.resourceUsage().maxRSS * 1024 }));
}
