// The parameter names and shapes a registered model class has for given options, worked out from
// the options alone, so load() can compare them with a file's tensor list before it builds (and so
// allocates) anything. One generator per built-in class, yielding the state-dict entries in order;
// test/model-shapes.test.ts checks each against the models the constructors build. A class without
// one here (registered by the caller) is built first and checked by loadStateDict.

export type ShapeEntries = Iterable<[name: string, shape: number[]]>;

type Options = Record<string, unknown>;

/** v when it is a positive integer (the only sizes the constructors accept), else null. */
function size(v: unknown): number | null {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : null;
}

/** A Linear(terms, in, out) of src/nn/linear.ts: weight (terms, in, out), bias (terms, 1, out). */
function* linear(prefix: string, terms: number, inDim: number, outDim: number, bias = true): Generator<[string, number[]]> {
  yield [`${prefix}weight`, [terms, inDim, outDim]];
  if (bias) yield [`${prefix}bias`, [terms, 1, outDim]];
}

/** MinGRU(terms, dim, expansionFactor): null when the factor is not one the constructor takes. */
function minGru(prefix: string, terms: number, dim: number, expansionFactor: unknown): Generator<[string, number[]]> | null {
  const factor = expansionFactor ?? 1;
  if (typeof factor !== 'number' || !Number.isFinite(factor)) return null;
  const inner = Math.trunc(dim * factor);
  if (!(inner > 0)) return null;
  return (function* () {
    yield* linear(`${prefix}to_hidden_and_gate.`, terms, dim, inner * 2, false);
    if (factor !== 1) yield* linear(`${prefix}to_out.`, terms, inner, dim, false);
  })();
}

const GATES: Record<string, number> = { rnn: 1, gru: 3, lstm: 4 };

/** SimpleRNN, GRU and LSTM (PyTorch's names): weight_ih_l{k} (gates * hidden, in), weight_hh_l{k}, biases. */
function* recurrent(prefix: string, gates: number, inputSize: number, hiddenSize: number, numLayers: number, bias: boolean): Generator<[string, number[]]> {
  const gh = gates * hiddenSize;
  for (let k = 0; k < numLayers; k++) {
    yield [`${prefix}weight_ih_l${k}`, [gh, k === 0 ? inputSize : hiddenSize]];
    yield [`${prefix}weight_hh_l${k}`, [gh, hiddenSize]];
    if (bias) {
      yield [`${prefix}bias_ih_l${k}`, [gh]];
      yield [`${prefix}bias_hh_l${k}`, [gh]];
    }
  }
}

function recurrentClass(gates: number) {
  return (o: Options): ShapeEntries | null => {
    const inputSize = size(o.inputSize), hiddenSize = size(o.hiddenSize), numLayers = size(o.numLayers ?? 1);
    if (inputSize === null || hiddenSize === null || numLayers === null) return null;
    return recurrent('', gates, inputSize, hiddenSize, numLayers, Boolean(o.bias ?? true));
  };
}

const classes: Record<string, (o: Options) => ShapeEntries | null> = {
  FirstOrderRNAM(o) {
    const terms = size(o.terms), hidden = size(o.hiddenDim), out = size(o.outDim), blocks = o.blocks;
    if (terms === null || hidden === null || out === null || !(blocks === 0 || size(blocks) !== null)) return null;
    return (function* () {
      yield* linear('emb.', terms, 1, hidden);
      for (let b = 0; b < (blocks as number); b++) {
        yield* minGru(`blocks.${b}.gru.`, terms, hidden, 1)!;
        yield [`blocks.${b}.ff.0.weight`, [hidden]];
        yield [`blocks.${b}.ff.0.bias`, [hidden]];
        yield* linear(`blocks.${b}.ff.1.`, terms, hidden, hidden);
        yield* linear(`blocks.${b}.ff.3.`, terms, hidden, hidden);
      }
      yield* linear('proj.0.', terms, hidden, hidden);
      yield* linear('proj.2.', terms, hidden, out);
      yield ['gam.bias', [out]];
    })();
  },
  SequenceModel(o) {
    const inputSize = size(o.inputSize), hidden = size(o.hiddenSize), layers = size(o.numLayers ?? 1), out = size(o.outDim);
    if (inputSize === null || hidden === null || layers === null || out === null || typeof o.cell !== 'string') return null;
    const cell = o.cell;
    if (cell !== 'mingru' && !Object.prototype.hasOwnProperty.call(GATES, cell)) return null;
    return (function* () {
      if (cell === 'mingru') {
        yield* linear('embed.', 1, inputSize, hidden);
        for (let k = 0; k < layers; k++) yield* minGru(`layers.${k}.`, 1, hidden, 1)!;
      } else {
        yield* recurrent('recurrent.', GATES[cell], inputSize, hidden, layers, true);
      }
      yield* linear('head.', 1, hidden, out);
    })();
  },
  ImplicitRNN(o) {
    const p = size(o.inputDim), out = size(o.outputDim), n = size(o.implicitHiddenDim), h = size(o.hiddenDim);
    if (p === null || out === null || n === null || h === null) return null;
    return [
      ['recurrent.layer.A', [n, n]], ['recurrent.layer.B', [n, p + h]], ['recurrent.layer.C', [h, n]], ['recurrent.layer.D', [h, p + h]],
      ['linear.weight', [out, h]], ['linear.bias', [out]],
    ];
  },
  AdditiveRNAM(o) {
    const seqTerms = o.sequenceTerms ?? 0, staticTerms = o.staticTerms ?? 0, steps = size(o.stepInputs), hidden = size(o.hiddenDim), out = size(o.outDim);
    const members = size(o.members ?? 1), blocks = o.blocks, levels = o.categoricalLevels;
    const count = (v: unknown) => v === 0 || size(v) !== null;
    if (!count(seqTerms) || !count(staticTerms) || steps === null || hidden === null || out === null || members === null || !count(blocks)
      || !Array.isArray(levels) || !levels.every((l) => size(l) !== null)) return null;
    const T = seqTerms as number, S = staticTerms as number, C = levels.length, M = members;
    if (T + S + C === 0) return null;
    const maxLevels = C ? levels.reduce((m: number, l: number) => Math.max(m, l), 0) : 0;
    return (function* () {
      yield ['bias', [M, out]] as [string, number[]];
      if (T) {
        yield* linear('sequence.emb.', T * M, steps, hidden);
        for (let b = 0; b < (blocks as number); b++) {
          for (let m = 0; m < M; m++) {
            const p = `sequence.blocks.${b}.${m}.`;
            yield* minGru(`${p}gru.`, T, hidden, 1)!;
            yield [`${p}ff.0.weight`, [hidden]];
            yield [`${p}ff.0.bias`, [hidden]];
            yield* linear(`${p}ff.1.`, T, hidden, hidden);
            yield* linear(`${p}ff.3.`, T, hidden, hidden);
          }
        }
        yield* linear('sequence.proj.0.', T * M, hidden, hidden);
        yield* linear('sequence.proj.2.', T * M, hidden, out);
        if (o.linear ?? true) yield* linear('linear.', T * M, steps, out, false);
      }
      if (S) {
        yield* linear('static.0.', S * M, o.staticInputs === 2 ? 2 : 1, hidden);
        yield* linear('static.2.', S * M, hidden, hidden);
        yield* linear('static.4.', S * M, hidden, out);
      }
      if (C) yield* linear('categorical.', C * M, maxLevels, out, false);
    })();
  },
  SimpleRNN: recurrentClass(1),
  GRU: recurrentClass(3),
  LSTM: recurrentClass(4),
  MinGRU(o) {
    const terms = size(o.terms), dim = size(o.dim);
    return terms === null || dim === null ? null : minGru('', terms, dim, o.expansionFactor);
  },
};

/** The classes with shapes here. */
export const shapedClasses: readonly string[] = Object.keys(classes);

/**
 * The state-dict entries (name, shape) a model of `className` built from `options` has, lazily, or
 * null when the class has no shapes here or the options are not ones its constructor accepts (the
 * constructor then says why).
 */
export function expectedShapes(className: string, options: Options): ShapeEntries | null {
  return Object.prototype.hasOwnProperty.call(classes, className) ? classes[className](options) : null;
}
