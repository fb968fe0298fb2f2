// The seeded PRNG behind initialisation, shuffling and data: xoshiro128** seeded by splitmix32,
// in 32-bit integer math (Math.imul, >>>), so every engine produces the same stream. Floats are
// built from integer bits and IEEE +,-,*,/ only, which are exact-rounded everywhere.
// Normal samples (Marsaglia's polar method) add sqrt, exact-rounded too, and log, taken from
// src/hostmath.ts (musl's log in wasm) rather than Math.log, whose results differ between engines.
import { log } from './hostmath.js';

export class Generator {
  private readonly s = new Uint32Array(4);

  constructor(seed = 0) {
    this.manualSeed(seed);
  }

  /** Restarts the stream from an integer seed (up to 2^53). */
  manualSeed(seed: number): void {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`manualSeed: expected a non-negative integer, got ${seed}`);
    let x = (seed >>> 0) ^ Math.imul((seed / 4294967296) >>> 0, 0x9e3779b9);
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      this.s[i] = z ^ (z >>> 16);
    }
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;
  }

  /** The stream's position (four 32-bit words), to resume it later with setState. */
  getState(): number[] {
    return [...this.s];
  }

  /** Resumes the stream at a position from getState(). */
  setState(state: readonly number[]): void {
    if (!Array.isArray(state) || state.length !== 4 || state.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff)) {
      throw new Error('Generator.setState: expected four unsigned 32-bit integers (from getState())');
    }
    if (state.every((w) => w === 0)) throw new Error('Generator.setState: the all-zero state is not a valid position');
    this.s.set(state);
  }

  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1) with 24 random bits: exactly representable in float32. */
  uniform(): number {
    return (this.nextUint32() >>> 8) / 16777216;
  }

  /** Fills `out` with float32 values uniform in [low, high). */
  fillUniform(out: Float32Array, low: number, high: number): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = low + (high - low) * this.uniform();
    return out;
  }

  /**
   * A standard normal sample by the polar method: pairs (u, v) uniform in (-1, 1)^2 until
   * 0 < s = u^2 + v^2 < 1, then u * sqrt(-2 log(s) / s). One pair per sample (v is not kept), so
   * the stream does not depend on how calls are grouped.
   */
  normal(): number {
    for (;;) {
      const u = 2 * this.uniform() - 1, v = 2 * this.uniform() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) return u * Math.sqrt((-2 * log(s)) / s);
    }
  }

  /** Fills `out` with float32 values mean + std * normal(). */
  fillNormal(out: Float32Array, mean = 0, std = 1): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.normal();
    return out;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Shuffles `items` in place (Fisher-Yates from the last item down, one int draw per item but the first) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** The generator used when none is given (rnam.manualSeed reseeds it). */
export const defaultGenerator = new Generator(0);

export function manualSeed(seed: number): void {
  defaultGenerator.manualSeed(seed);
}
