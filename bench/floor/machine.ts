// The CPU in words, from os.cpus() and /proc/cpuinfo (family, model, vector extensions).
import { readFileSync } from 'node:fs';
import os from 'node:os';

export function cpuDetails(): string {
  const cpus = os.cpus();
  let extra = '';
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const field = (name: string) => info.match(new RegExp(`^${name}\\s*: (.*)$`, 'm'))?.[1]?.trim();
    const flags = field('flags')?.split(' ') ?? [];
    const vector = flags.includes('avx512f') ? 'AVX-512' : flags.includes('avx2') ? 'AVX2' : 'no AVX2';
    extra = ` (${field('vendor_id') ?? ''} family ${field('cpu family')} model ${field('model')}, ${vector}, ${field('cpu MHz')} MHz)`;
  } catch { /* not Linux */ }
  return `${cpus[0]?.model ?? 'CPU'}${extra}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`;
}
