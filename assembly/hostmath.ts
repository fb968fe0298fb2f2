// Float64 sin and cos for the host (data generation): JavaScript's Math.sin/cos may differ between
// engines, these (AssemblyScript's musl port) do not.
export function math_sin(x: f64): f64 {
  return Math.sin(x);
}

export function math_cos(x: f64): f64 {
  return Math.cos(x);
}

// Float64 natural log for the host (normal samples in src/random.ts), engine-independent likewise.
export function math_log(x: f64): f64 {
  return Math.log(x);
}
