// Op codes of the unary and binary kernels by name: an op's code is its index in the spec row's
// `ops` list, which the WGSL constants are generated from and the AssemblyScript ones checked against.
import { binaryOps, unaryOps } from '../kernels/spec.js';

export type UnaryOp = (typeof unaryOps)[number];
export type BinaryOp = (typeof binaryOps)[number];

function codes<T extends readonly string[]>(ops: T): { readonly [K in T[number]]: number } {
  return Object.freeze(Object.fromEntries(ops.map((op, i) => [op, i]))) as { readonly [K in T[number]]: number };
}

export const Unary = codes(unaryOps);
export const Binary = codes(binaryOps);
