// The model classes a file can name: how to read a model's constructor options (plain JSON) and
// how to build a model from them. rnam.load rebuilds a model from its file's class and options.
import { Module } from '../nn/module.js';
import { FirstOrderRNAM } from '../nn/rnam.js';
import { SequenceModel } from '../nn/sequence-model.js';
import { ImplicitRNN } from '../nn/implicit.js';
import { SimpleRNN, GRU, LSTM } from '../nn/rnn.js';
import { MinGRU } from '../nn/mingru.js';
import { defaultGenerator } from '../random.js';
import { ArgumentError, FileFormatError, describeValue } from '../errors.js';

export type ModelOptions = Record<string, number | string | boolean>;

export interface ModelClass<M extends Module = Module> {
  /** The constructor; a model is of this class when its constructor is exactly this one. */
  readonly cls: abstract new (...args: never[]) => M;
  /** Every constructor option the file keeps (JSON values only). */
  readonly optionNames: readonly string[];
  options(model: M): ModelOptions;
  build(options: ModelOptions): M;
  /** How many input features the model reads (checked against featureNames on save). */
  inputFeatures?(model: M): number;
}

const recurrentNames = ['inputSize', 'hiddenSize', 'numLayers', 'bias', 'batchFirst'] as const;
const recurrentOptions = (m: SimpleRNN | GRU | LSTM): ModelOptions =>
  ({ inputSize: m.inputSize, hiddenSize: m.hiddenSize, numLayers: m.numLayers, bias: m.bias, batchFirst: m.batchFirst });

const registry = new Map<string, ModelClass<any>>();

/** Adds a model class under `name` (the name files store), so save and load know it. */
export function registerModelClass<M extends Module>(name: string, entry: ModelClass<M>): void {
  if (typeof name !== 'string' || name === '') throw new ArgumentError(`registerModelClass: name must be a non-empty string, got ${describeValue(name)}`);
  if (registry.has(name)) throw new ArgumentError(`registerModelClass: ${name} is already registered`);
  registry.set(name, entry);
}

registerModelClass<FirstOrderRNAM>('FirstOrderRNAM', {
  cls: FirstOrderRNAM, optionNames: ['terms', 'hiddenDim', 'outDim', 'blocks'],
  options: (m) => ({ ...m.options }),
  build: (o) => new FirstOrderRNAM(o as never),
  inputFeatures: (m) => m.options.terms,
});
registerModelClass<SequenceModel>('SequenceModel', {
  cls: SequenceModel, optionNames: ['cell', 'inputSize', 'hiddenSize', 'numLayers', 'outDim'],
  options: (m) => ({ ...m.options }),
  build: (o) => new SequenceModel(o as never),
  inputFeatures: (m) => m.options.inputSize,
});
registerModelClass<ImplicitRNN>('ImplicitRNN', {
  cls: ImplicitRNN,
  optionNames: ['inputDim', 'outputDim', 'implicitHiddenDim', 'hiddenDim', 'maxIter', 'tol', 'gradMaxIter', 'gradTol', 'kappa'],
  options: (m) => ({ inputDim: m.inputDim, outputDim: m.outputDim, implicitHiddenDim: m.implicitHiddenDim, hiddenDim: m.hiddenDim,
    maxIter: m.maxIter, tol: m.tol, gradMaxIter: m.gradMaxIter, gradTol: m.gradTol, kappa: m.kappa }),
  build: (o) => new ImplicitRNN(o as never),
  inputFeatures: (m) => m.inputDim,
});
registerModelClass<SimpleRNN>('SimpleRNN', {
  cls: SimpleRNN, optionNames: [...recurrentNames, 'nonlinearity'],
  options: (m) => ({ ...recurrentOptions(m), nonlinearity: m.nonlinearity }),
  build: (o) => new SimpleRNN(o as never),
  inputFeatures: (m) => m.inputSize,
});
registerModelClass<GRU>('GRU', {
  cls: GRU, optionNames: recurrentNames, options: recurrentOptions, build: (o) => new GRU(o as never), inputFeatures: (m) => m.inputSize,
});
registerModelClass<LSTM>('LSTM', {
  cls: LSTM, optionNames: recurrentNames, options: recurrentOptions, build: (o) => new LSTM(o as never), inputFeatures: (m) => m.inputSize,
});
registerModelClass<MinGRU>('MinGRU', {
  cls: MinGRU, optionNames: ['terms', 'dim', 'expansionFactor'],
  options: (m) => ({ terms: m.terms, dim: m.dim, expansionFactor: m.expansionFactor }),
  build: (o) => new MinGRU(o.terms as number, o.dim as number, o.expansionFactor === undefined ? {} : { expansionFactor: o.expansionFactor as number }),
  inputFeatures: (m) => m.terms,
});

/** The registered names. */
export function modelClassNames(): string[] {
  return [...registry.keys()];
}

/** The name and entry of `model`'s class (its exact constructor), or null. */
export function modelClassOf(model: Module): [string, ModelClass] | null {
  for (const [name, entry] of registry) if (model.constructor === entry.cls) return [name, entry];
  return null;
}

/**
 * A new model of class `name` from options (from a file or the caller). Options are checked
 * against the class's option names; a constructor that rejects them becomes a FileFormatError
 * naming the class (its error is the cause). The initial weights are drawn without moving the
 * global generator, since the caller overwrites them: loading a file never changes later draws.
 */
export function buildModel(name: unknown, options: unknown, where: string): Module {
  const entry = typeof name === 'string' ? registry.get(name) : undefined;
  if (!entry) throw new FileFormatError(`${where}: unknown model class ${describeValue(name)} (known: ${modelClassNames().join(', ')})`);
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new FileFormatError(`${where}: the options of ${name} must be an object, got ${describeValue(options)}`);
  }
  const unknown = Object.keys(options).filter((k) => !entry.optionNames.includes(k));
  if (unknown.length) throw new FileFormatError(`${where}: ${name} has no option ${unknown.join(', ')} (its options: ${entry.optionNames.join(', ')})`);
  const state = defaultGenerator.getState();
  try {
    return entry.build({ ...(options as ModelOptions) });
  } catch (err) {
    throw new FileFormatError(`${where}: the options ${JSON.stringify(options)} do not build a ${name}: ${(err as Error).message}`, { cause: err });
  } finally {
    defaultGenerator.setState(state);
  }
}
