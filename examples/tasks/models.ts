// The four recurrent regressors the task examples and tests compare. Each maps a batch of sequences
// x (batch, seq, inputSize) to y (batch, outputSize) with a linear head on the last step:
//   SimpleRNN / GRU / LSTM: PyTorch-style layer (batch-first, one layer) + Linear on hN;
//   minGRU: the grouped layers with terms = 1: Linear(1, in -> h), MinGRU(1, h) x layers,
//           Linear(1, h -> out) on the last step.
import * as rnam from '../../src/index.js';

export const MODEL_KINDS = ['SimpleRNN', 'GRU', 'LSTM', 'minGRU'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

export interface ModelOptions {
  inputSize: number;
  hiddenSize: number;
  outputSize: number;
  /** Stacked minGRU layers (default 1), each with a residual connection when there is more than one. */
  minGRULayers?: number;
  /**
   * Chrono initialisation (Tallec & Ollivier, "Can recurrent neural networks warp time?", 2018) of
   * the gated models' gate biases for dependencies up to `chronoInit` steps: each hidden unit keeps
   * its state with probability u / (1 + u), u ~ U(1, chronoInit - 1), at initialisation. Default:
   * none (PyTorch's uniform initialisation). SimpleRNN has no gate and ignores it.
   */
  chronoInit?: number;
}

/** log(u), u ~ U(1, tMax - 1), for `n` units, from the global generator. */
function chronoBiases(n: number, tMax: number): Float32Array {
  const b = new Float32Array(n);
  for (let j = 0; j < n; j++) b[j] = Math.log(1 + (tMax - 2) * rnam.defaultGenerator.uniform());
  return b;
}

/** Sets elements of the parameter `name` of `module` (on the CPU): flat index -> value. */
function setValues(module: rnam.Module, name: string, values: Iterable<[number, number]>): void {
  const p = module.stateDict()[name];
  const data = p.toArraySync().slice();
  for (const [i, v] of values) data[i] = v;
  module.loadStateDict({ [name]: rnam.tensor(data, p.shape) }, { strict: false });
}

/** Sets elements [from, from + values.length) of the parameter `name` of `module`. */
function setRows(module: rnam.Module, name: string, from: number, values: Float32Array): void {
  setValues(module, name, Array.from(values, (v, j): [number, number] => [from + j, v]));
}

/** A model from (batch, seq, inputSize) to (batch, outputSize). */
export interface SequenceRegressor extends rnam.Module {
  readonly kind: ModelKind;
  forward(x: rnam.Tensor): rnam.Tensor;
}

/** SimpleRNN, GRU or LSTM (one layer, batch-first) with a linear head on the last hidden state. */
class ClassicRegressor extends rnam.Module implements SequenceRegressor {
  readonly kind: ModelKind;
  readonly rnn: rnam.SimpleRNN | rnam.GRU | rnam.LSTM;
  readonly head: rnam.Linear;
  readonly outputSize: number;

  constructor(kind: 'SimpleRNN' | 'GRU' | 'LSTM', o: ModelOptions) {
    super();
    this.kind = kind;
    this.outputSize = o.outputSize;
    const options = { inputSize: o.inputSize, hiddenSize: o.hiddenSize, batchFirst: true };
    const Layer = { SimpleRNN: rnam.SimpleRNN, GRU: rnam.GRU, LSTM: rnam.LSTM }[kind];
    this.rnn = this.registerModule('rnn', new Layer(options));
    this.head = this.registerModule('fc', new rnam.Linear(1, o.hiddenSize, o.outputSize));
    const H = o.hiddenSize;
    if (o.chronoInit && kind !== 'SimpleRNN') {
      const keep = chronoBiases(H, o.chronoInit);
      setRows(this.rnn, 'bias_hh_l0', H, new Float32Array(H));      // the keep gate's bias is bias_ih alone
      if (kind === 'GRU') {
        setRows(this.rnn, 'bias_ih_l0', H, keep);                    // gates (r, z, n): h' = (1 - z) n + z h
      } else {
        setRows(this.rnn, 'bias_ih_l0', H, keep);                    // gates (i, f, g, o): forget gate f
        setRows(this.rnn, 'bias_ih_l0', 0, keep.map((v) => -v));      // input gate i = -forget bias
        setRows(this.rnn, 'bias_hh_l0', 0, new Float32Array(H));
      }
    }
  }

  forward(x: rnam.Tensor): rnam.Tensor {
    const [, state] = this.rnn.forward(x);
    const hN = Array.isArray(state) ? state[0] : state;        // (1, batch, hidden): the last step
    return rnam.reshape(this.head.forward(hN), [x.shape[0], this.outputSize]);
  }
}

/** minGRU as a grouped model with terms = 1: embedding, minGRU layer(s), linear head on the last step. */
class MinGRURegressor extends rnam.Module implements SequenceRegressor {
  readonly kind: ModelKind = 'minGRU';
  readonly embed: rnam.Linear;
  readonly layers: rnam.MinGRU[] = [];
  readonly head: rnam.Linear;
  readonly outputSize: number;

  constructor(o: ModelOptions) {
    super();
    this.outputSize = o.outputSize;
    this.embed = this.registerModule('embed', new rnam.Linear(1, o.inputSize, o.hiddenSize));
    const n = o.minGRULayers ?? 1;
    for (let i = 0; i < n; i++) this.layers.push(this.registerModule(`mingru${i}`, new rnam.MinGRU(1, o.hiddenSize)));
    this.head = this.registerModule('fc', new rnam.Linear(1, o.hiddenSize, o.outputSize));
    if (o.chronoInit) {
      // minGRU has no bias: embedding channel 0 starts as the constant 1 and its gate weights act as
      // the gate biases; h_t = (1 - z) h_{t-1} + z h~_t keeps with probability 1 - z = u / (1 + u).
      const H = o.hiddenSize;
      setValues(this.embed, 'weight', Array.from({ length: o.inputSize }, (_, k): [number, number] => [k * H, 0]));
      setValues(this.embed, 'bias', [[0, 1]]);
      for (const layer of this.layers) {
        const inner = layer.dimInner;
        setRows(layer, 'to_hidden_and_gate.weight', inner, chronoBiases(inner, o.chronoInit).map((v) => -v));
      }
    }
  }

  forward(x: rnam.Tensor): rnam.Tensor {
    const [batch, seq, features] = x.shape;
    let h = this.embed.forward(rnam.reshape(x, [1, batch, seq, features]));
    for (const layer of this.layers) {
      const [out] = layer.forward(h);
      h = this.layers.length > 1 ? rnam.add(h, out) : out;
    }
    const last = rnam.slice(h, 2, seq - 1, seq);                 // (1, batch, 1, hidden)
    return rnam.reshape(this.head.forward(last), [batch, this.outputSize]);
  }
}

/** A new model of `kind` from the global generator (call rnam.manualSeed first for determinism). */
export function createModel(kind: ModelKind, options: ModelOptions): SequenceRegressor {
  return kind === 'minGRU' ? new MinGRURegressor(options) : new ClassicRegressor(kind, options);
}

/**
 * Whether `kind` runs (forward and backward) on `device`: null if it does, otherwise the reason
 * (e.g. a backend without the recurrent kernels yet). It draws from the global generator: seed
 * (rnam.manualSeed) after calling it.
 */
export async function modelUnavailableReason(kind: ModelKind, device: rnam.Backend): Promise<string | null> {
  if (device.kind === 'wasm') return null;
  try {
    const model = createModel(kind, { inputSize: 2, hiddenSize: 4, outputSize: 1 }).to(device);
    const x = rnam.tensor(new Float32Array(2 * 3 * 2).fill(0.5), [2, 3, 2], { device });
    const loss = rnam.tidy(() => rnam.mean(model.forward(x)));
    loss.backward();
    await model.parameters()[0].grad!.toArray();
    loss.dispose();
    x.dispose();
    model.zeroGrad();
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}
