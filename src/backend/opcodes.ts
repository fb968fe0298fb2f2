// Op codes of the unary and binary kernels; the same numbers are in assembly/ and kernels/.
export const Unary = { relu: 0, sigmoid: 1, tanh: 2, exp: 3, log: 4, square: 5, sqrt: 6, abs: 7, neg: 8 } as const;
export type UnaryOp = keyof typeof Unary;

export const Binary = { add: 0, sub: 1, mul: 2, div: 3 } as const;
export type BinaryOp = keyof typeof Binary;
