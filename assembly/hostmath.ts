// Float64 sin, cos and log for the host (src/hostmath.ts: normal samples, data generation): JavaScript's
// Math.sin/cos/log may differ between engines, these (AssemblyScript's musl port) do not. Built as a
// module of its own (scripts/build.mjs), so the host reaches no backend for them.
export function math_sin(x: f64): f64 {
  return Math.sin(x);
}

export function math_cos(x: f64): f64 {
  return Math.cos(x);
}

export function math_log(x: f64): f64 {
  return Math.log(x);
}
