// Reverse-mode autograd: ops record a GradNode on their output (micrograd style, the backward
// closure sits beside the forward in each op file); backward() walks the graph in reverse
// topological order, accumulates gradients, and releases each node as it passes it, which frees
// the activations only that node kept.
import { Tensor, type GradNode } from './tensor.js';
import { tidy, untracked } from './memory.js';
import { formatShape, sameShape } from './shape.js';
import { Binary } from './backend/opcodes.js';

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
 * Records `output = name(inputs)` if any input requires a gradient. `saved` are the tensors the
 * backward closure reads; they stay alive until backward() passes this node.
 */
export function record(
  output: Tensor, name: string, inputs: readonly Tensor[], saved: readonly Tensor[],
  backward: (grad: Tensor) => (Tensor | null)[],
): Tensor {
  if (!gradEnabled || !inputs.some((t) => t.requiresGrad)) {
    for (const t of saved) if (t._internal && t._savedBy === 0) t._free(); // scratch nobody will read
    return output;
  }
  for (const t of saved) t._savedBy++;
  output.requiresGrad = true;
  output.gradFn = { name, inputs, saved, backward, released: false };
  return output;
}

function releaseNode(node: GradNode): void {
  node.released = true;
  for (const t of node.saved) {
    t._savedBy--;
    if (t._internal && t._savedBy === 0) t._free();
  }
}

/** Tensors reachable from root through recorded nodes, each after all tensors that depend on it. */
function reverseTopologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>([root]);
  const stack: [Tensor, number][] = [[root, 0]];
  while (stack.length) {
    const top = stack[stack.length - 1];
    const inputs = top[0].gradFn?.inputs ?? [];
    if (top[1] < inputs.length) {
      const next = inputs[top[1]++];
      if (next.requiresGrad && !visited.has(next)) {
        visited.add(next);
        stack.push([next, 0]);
      }
    } else {
      stack.pop();
      order.push(top[0]);
    }
  }
  return order.reverse();
}

function accumulateInto(target: Tensor, grad: Tensor): void {
  target.device.binary_forward({ a: target.buffer, b: grad.buffer, out: target.buffer, n: target.numel, op: Binary.add });
  grad._free();
}

export function runBackward(root: Tensor, grad?: Tensor): void {
  untracked(() => backwardFrom(root, grad));
}

function backwardFrom(root: Tensor, grad?: Tensor): void {
  if (!root.requiresGrad) throw new Error('backward(): this tensor does not require grad and has no recorded graph');
  if (root.gradFn?.released) {
    throw new Error('backward(): the graph was already released by an earlier backward() (activations are freed after backward)');
  }
  let seed: Tensor;
  if (grad === undefined) {
    if (root.numel !== 1) {
      throw new Error(`backward(): a gradient is needed for a non-scalar output of shape ${formatShape(root.shape)}`);
    }
    // Where reading is cheap, refuse to backpropagate a NaN loss (on a GPU the training loop checks).
    const value = root.device.syncRead ? root.device.readSync(root.buffer)[0] : 0;
    if (!Number.isFinite(value)) throw new Error(`backward(): the output is ${value}; not backpropagating a non-finite loss`);
    seed = Tensor.empty(root.shape, root.device);
    root.device.fill({ out: seed.buffer, n: 1, value: 1 });
  } else {
    if (!sameShape(grad.shape, root.shape)) {
      throw new Error(`backward(): gradient of shape ${formatShape(grad.shape)} given for an output of shape ${formatShape(root.shape)}`);
    }
    seed = Tensor.empty(root.shape, root.device);
    root.device.copy_rows({ src: grad.buffer, dst: seed.buffer, outer: 1, srcN: 1, dstN: 1, inner: root.numel, srcStart: 0, dstStart: 0, count: 1 });
  }

  const pending = new Map<Tensor, Tensor>([[root, seed]]);
  const give = (t: Tensor, g: Tensor) => {
    const have = pending.get(t);
    if (have) accumulateInto(have, g);
    else pending.set(t, g);
  };

  for (const t of reverseTopologicalOrder(root)) {
    const g = pending.get(t);
    pending.delete(t);
    const node = t.gradFn;
    if (!node) {
      if (!g) continue;
      if (t.grad) accumulateInto(t.grad, g);
      else t.grad = g;
      continue;
    }
    if (node.released) throw new Error(`backward(): the graph through ${node.name} was already released by an earlier backward()`);
    if (g) {
      const grads = tidy(() => noGrad(() => node.backward(g)));
      const given = new Set<Tensor>();
      node.inputs.forEach((input, i) => {
        let gi = grads[i];
        if (!gi) return;
        if (!input.requiresGrad) {
          if (gi !== g && !given.has(gi)) gi._free();
          return;
        }
        if (gi === g || given.has(gi)) gi = copyOf(gi);
        given.add(gi);
        give(input, gi);
      });
      for (const gi of grads) if (gi && gi !== g && !given.has(gi)) gi._free();
      g._free();
    }
    releaseNode(node);
  }
  for (const g of pending.values()) g._free();
}

function copyOf(t: Tensor): Tensor {
  const c = Tensor.empty(t.shape, t.device);
  t.device.copy_rows({ src: t.buffer, dst: c.buffer, outer: 1, srcN: 1, dstN: 1, inner: t.numel, srcStart: 0, dstStart: 0, count: 1 });
  return c;
}
