// Float64 log, sin and cos with the same bits on every JavaScript engine (Math.log/sin/cos may differ):
// AssemblyScript's musl port in a wasm module of its own (assembly/hostmath.ts), a few KB, compiled
// and instantiated synchronously on first use. The RNG and data generation use it, so they need no backend.
import { hostmathBinaryBase64 } from './hostmath-binary.js';

interface HostMathExports {
  math_log(x: number): number;
  math_sin(x: number): number;
  math_cos(x: number): number;
}

let instance: HostMathExports | null = null;

function hostMath(): HostMathExports {
  if (!instance) {
    const raw = atob(hostmathBinaryBase64);
    const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports as unknown as HostMathExports;
  }
  return instance;
}

export const log = (x: number): number => hostMath().math_log(x);
export const sin = (x: number): number => hostMath().math_sin(x);
export const cos = (x: number): number => hostMath().math_cos(x);
