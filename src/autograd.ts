// Reverse-mode autograd: ops record a GradNode on their outputs (micrograd style, the backward
// closure sits beside the forward in each op file); backward() walks the nodes in reverse
// topological order, accumulates gradients, and releases each node as it passes it, which frees
// the activations only that node kept.
// A node names its inputs and its outputs; it may have several outputs (the LSTM's output sequence
// and last cell state), and then runs once, after every consumer of every output.
// Autograd knows tensors only through GradTensor, which tensor.ts's Tensor implements, so that
// tensor.ts imports this file and not the other way round.
import type { Backend, DeviceBuffer } from './backend/backend.js';
import { Binary } from './backend/opcodes.js';
import { tidy, untracked } from './memory.js';
import { formatShape, sameShape, ShapeError, type Shape } from './shape.js';
import { DeviceError, NonFiniteError, RnamError } from './errors.js';

/** What autograd needs of a tensor. */
export interface GradTensor {
  readonly shape: Shape;
  readonly numel: number;
  readonly device: Backend;
  readonly buffer: DeviceBuffer;
  requiresGrad: boolean;
  grad: GradTensor | null;
  gradFn: GradNode | null;
  /** Freed once no node saves it (see memory.ts). */
  _internal: boolean;
  /** How many unreleased nodes saved it. */
  _savedBy: number;
  _free(): void;
}

/** A new tensor with uninitialised contents: how autograd makes its own gradient buffers. */
export type EmptyTensor<T extends GradTensor> = (shape: Shape, device: Backend) => T;

/** A recorded operation: how to turn the gradients of its outputs into gradients of its inputs. */
export interface GradNode<T extends GradTensor = GradTensor> {
  readonly name: string;
  /** The inputs by name, in the op's order; null inputs are left out. */
  readonly inputs: Readonly<Record<string, T>>;
  /** The outputs by name. */
  readonly outputs: Readonly<Record<string, T>>;
  /** Tensors backward() reads; kept alive until the node is released. */
  readonly saved: readonly T[];
  /** Gradients of the outputs by name (null for one that got none) to gradients of the inputs by name. */
  backward(grads: Readonly<Record<string, T | null>>): Readonly<Record<string, T | null | undefined>>;
  released: boolean;
}

/** Whether the union of names K has exactly one member. */
type IsSingle<K extends string> = { [P in K]: [Exclude<K, P>] extends [never] ? true : false }[K];

/**
 * The output gradients an op's backward receives. A node runs only when some output got a
 * gradient, so a single output's is always there; of several outputs, one that got none is null.
 */
export type OutputGrads<O extends string, T> = IsSingle<O> extends true ? { readonly [K in O]: T } : { readonly [K in O]: T | null };

export interface RecordedOp<T extends GradTensor, I extends string, O extends string> {
  /** The op's tensor inputs by name; null ones (an absent bias) are skipped. */
  inputs: { readonly [K in I]: T | null };
  /** Its outputs by name. */
  outputs: { readonly [K in O]: T };
  /** Tensors backward reads; they stay alive until backward() passes this node. */
  saved: readonly T[];
  /** The input gradients by name from the output gradients; a missing or null one means none. */
  backward: (grads: OutputGrads<O, T>) => { readonly [K in I]?: T | null };
}

let gradEnabled = true;

/** Runs `fn` without recording gradients (inference, evaluation, data generation). */
export function noGrad<T>(fn: () => T): T {
  const before = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = before;
  }
}

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Records `outputs = name(inputs)` as one node if any input requires a gradient, and returns
 * `outputs`. When nothing is recorded, saved scratch tensors nobody will read are freed at once.
 */
export function record<T extends GradTensor, I extends string, O extends string>(name: string, op: RecordedOp<T, I, O>): { readonly [K in O]: T } {
  const inputs: Record<string, T> = {};
  for (const [key, t] of Object.entries<T | null>(op.inputs)) if (t) inputs[key] = t;
  const outputs: Readonly<Record<string, T>> = op.outputs;
  if (!gradEnabled || !Object.values(inputs).some((t) => t.requiresGrad)) {
    for (const t of op.saved) if (t._internal && t._savedBy === 0) t._free();
    return op.outputs;
  }
  for (const t of op.saved) t._savedBy++;
  const node: GradNode<T> = {
    name, inputs, outputs, saved: op.saved, released: false,
    backward: op.backward as unknown as GradNode<T>['backward'],
  };
  for (const t of Object.values(outputs)) {
    t.requiresGrad = true;
    t.gradFn = node;
  }
  return op.outputs;
}

function releaseNode(node: GradNode): void {
  node.released = true;
  for (const t of node.saved) {
    t._savedBy--;
    if (t._internal && t._savedBy === 0) t._free();
  }
}

/** What backward() visits: a recorded node, or a leaf tensor that requires a gradient. */
type Vertex = GradNode | GradTensor;

const vertexOf = (t: GradTensor): Vertex => t.gradFn ?? t;

function isNode(v: Vertex): v is GradNode {
  return 'outputs' in v;
}

/** Nodes and leaves reachable from root, each after everything that consumes it (inputs in the op's order). */
function reverseTopologicalOrder(root: GradTensor): Vertex[] {
  const order: Vertex[] = [];
  const start = vertexOf(root);
  const visited = new Set<Vertex>([start]);
  const stack: [Vertex, GradTensor[], number][] = [];
  const push = (v: Vertex) => stack.push([v, isNode(v) ? Object.values(v.inputs) : [], 0]);
  push(start);
  while (stack.length) {
    const top = stack[stack.length - 1];
    if (top[2] < top[1].length) {
      const next = top[1][top[2]++];
      const v = vertexOf(next);
      if (next.requiresGrad && !visited.has(v)) {
        visited.add(v);
        push(v);
      }
    } else {
      stack.pop();
      order.push(top[0]);
    }
  }
  return order.reverse();
}

function accumulateInto(target: GradTensor, grad: GradTensor): void {
  target.device.binary_forward({ a: target.buffer, b: grad.buffer, out: target.buffer, n: target.numel, op: Binary.add });
  grad._free();
}

function copyOf<T extends GradTensor>(t: T, empty: EmptyTensor<T>): T {
  const c = empty(t.shape, t.device);
  t.device.copy_rows({ src: t.buffer, dst: c.buffer, outer: 1, srcN: 1, dstN: 1, inner: t.numel, srcStart: 0, dstStart: 0, count: 1 });
  return c;
}

/**
 * Every tensor a node reads must still be on the device its gradients flow on: a parameter moved
 * by Module.to() after the forward that recorded the node is not (the node would mix devices).
 */
function checkNodeDevice(node: GradNode, device: Backend): void {
  const named: [string, GradTensor][] = [...Object.entries(node.inputs), ...node.saved.map((t, i): [string, GradTensor] => [`saved tensor ${i}`, t])];
  for (const [name, t] of named) {
    if (t.device !== device) {
      throw new DeviceError(`backward(): ${node.name}'s ${name} is on ${t.device.description} but its gradient on ${device.description} `
        + '(was it moved with to() after the forward that recorded it?)');
    }
  }
}

/** Backpropagates from root (a scalar, or with a gradient of its shape) into every leaf's grad. */
export function runBackward<T extends GradTensor>(root: T, grad: T | undefined, empty: EmptyTensor<T>): void {
  untracked(() => backwardFrom(root, grad, empty as EmptyTensor<GradTensor>));
}

function backwardFrom(root: GradTensor, grad: GradTensor | undefined, empty: EmptyTensor<GradTensor>): void {
  if (!root.requiresGrad) throw new RnamError('backward(): this tensor does not require grad and has no recorded graph');
  if (root.gradFn?.released) {
    throw new RnamError('backward(): the graph was already released by an earlier backward() (activations are freed after backward)');
  }
  let seed: GradTensor;
  if (grad === undefined) {
    if (root.numel !== 1) {
      throw new ShapeError(`backward(): a gradient is needed for a non-scalar output of shape ${formatShape(root.shape)}`);
    }
    // Where reading is cheap, refuse to backpropagate a NaN loss (on a GPU the training loop checks).
    const value = root.device.syncRead ? root.device.readSync(root.buffer)[0] : 0;
    if (!Number.isFinite(value)) throw new NonFiniteError(`backward(): the output is ${value}; not backpropagating a non-finite loss`);
    seed = empty(root.shape, root.device);
    root.device.fill({ out: seed.buffer, n: 1, value: 1 });
  } else {
    if (!sameShape(grad.shape, root.shape)) {
      throw new ShapeError(`backward(): gradient of shape ${formatShape(grad.shape)} given for an output of shape ${formatShape(root.shape)}`);
    }
    if (grad.device !== root.device) {
      throw new DeviceError(`backward(): the gradient is on ${grad.device.description} but the output on ${root.device.description}; move the gradient with toDevice(grad, output.device)`);
    }
    seed = copyOf(grad, empty);
  }

  const pending = new Map<GradTensor, GradTensor>([[root, seed]]);
  const give = (t: GradTensor, g: GradTensor) => {
    const have = pending.get(t);
    if (have) accumulateInto(have, g);
    else pending.set(t, g);
  };
  const take = (t: GradTensor): GradTensor | null => {
    const g = pending.get(t) ?? null;
    pending.delete(t);
    return g;
  };

  const order = reverseTopologicalOrder(root);
  try {
    walk(order, pending, take, give, empty);
  } catch (err) {
    // A failure part way (out of memory, a kernel error) must not strand the graph: free the
    // gradients in flight and release every node, which frees the activations they saved.
    for (const g of pending.values()) g._free();
    pending.clear();
    for (const v of order) if (isNode(v) && !v.released) releaseNode(v);
    throw err;
  }
}

function walk(order: Vertex[], pending: Map<GradTensor, GradTensor>, take: (t: GradTensor) => GradTensor | null,
  give: (t: GradTensor, g: GradTensor) => void, empty: EmptyTensor<GradTensor>): void {
  for (const v of order) {
    if (!isNode(v)) {
      const g = take(v);
      if (!g) continue;
      if (v.grad) accumulateInto(v.grad, g);
      else v.grad = g;
      continue;
    }
    if (v.released) throw new RnamError(`backward(): the graph through ${v.name} was already released by an earlier backward()`);
    const outputGrads: Record<string, GradTensor | null> = {};
    for (const [key, t] of Object.entries(v.outputs)) outputGrads[key] = take(t);
    const received = new Set(Object.values(outputGrads).filter((g): g is GradTensor => g !== null));
    if (received.size) {
      checkNodeDevice(v, [...received][0].device);
      let grads: Readonly<Record<string, GradTensor | null | undefined>> = {};
      // An input takes ownership of its gradient; one handed back as it came in, or to two inputs, is copied.
      const given = new Set<GradTensor>();
      try {
        grads = tidy(() => noGrad(() => v.backward(outputGrads)));
        for (const [key, input] of Object.entries(v.inputs)) {
          let gi = grads[key];
          if (!gi || !input.requiresGrad) continue;
          if (received.has(gi) || given.has(gi)) gi = copyOf(gi, empty);
          given.add(gi);
          give(input, gi);
        }
      } finally {
        // Also on failure: what was not handed on is freed here, the rest by backwardFrom.
        for (const gi of Object.values(grads)) if (gi && !received.has(gi) && !given.has(gi)) gi._free();
        for (const g of received) g._free();
      }
    }
    releaseNode(v);
  }
  for (const g of pending.values()) g._free();
  pending.clear();
}
