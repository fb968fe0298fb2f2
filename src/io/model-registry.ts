// The model classes a file can name, each registered once with how to build it from its config.
// What a model is (its kind and config) comes from its own describe(); rnam.load rebuilds a model
// from its file's class and config.
import { Module } from '../nn/module.js';
import { FirstOrderRNAM } from '../nn/rnam.js';
import { SequenceModel } from '../nn/sequence-model.js';
import { ImplicitRNN } from '../nn/implicit.js';
import { SimpleRNN, GRU, LSTM } from '../nn/rnn.js';
import { MinGRU } from '../nn/mingru.js';
import { AdditiveRNAM } from '../nn/additive-rnam.js';
import { isDescribable, type ModelConfig, type ModelDescription } from '../nn/describe.js';
import { defaultGenerator } from '../random.js';
import { ArgumentError, FileFormatError, describeValue } from '../errors.js';

export type ModelOptions = ModelConfig;

export interface ModelClass<M extends Module = Module> {
  /** The constructor; a model is of this class when its constructor is exactly this one. */
  readonly cls: abstract new (...args: never[]) => M;
  /** Every config key a file may hold (others are refused on load). */
  readonly optionNames: readonly string[];
  build(config: ModelOptions): M;
}

const registry = new Map<string, ModelClass<any>>();

/** Adds a model class under `name` (the name files store and its describe() reports), so save and load know it. */
export function registerModelClass<M extends Module>(name: string, entry: ModelClass<M>): void {
  if (typeof name !== 'string' || name === '') throw new ArgumentError(`registerModelClass: name must be a non-empty string, got ${describeValue(name)}`);
  if (registry.has(name)) throw new ArgumentError(`registerModelClass: ${name} is already registered`);
  registry.set(name, entry);
}

const recurrentNames = ['inputSize', 'hiddenSize', 'numLayers', 'bias', 'batchFirst'] as const;
registerModelClass('FirstOrderRNAM', { cls: FirstOrderRNAM, optionNames: ['terms', 'hiddenDim', 'outDim', 'blocks'], build: (o) => new FirstOrderRNAM(o as never) });
registerModelClass('AdditiveRNAM', {
  cls: AdditiveRNAM, optionNames: ['sequenceTerms', 'stepInputs', 'staticTerms', 'categoricalLevels', 'hiddenDim', 'blocks', 'outDim', 'linear', 'members', 'memberSeeds', 'staticInputs'],
  build: (o) => new AdditiveRNAM(o as never),
});
registerModelClass('SequenceModel', { cls: SequenceModel, optionNames: ['cell', 'inputSize', 'hiddenSize', 'numLayers', 'outDim'], build: (o) => new SequenceModel(o as never) });
registerModelClass('ImplicitRNN', {
  cls: ImplicitRNN, optionNames: ['inputDim', 'outputDim', 'implicitHiddenDim', 'hiddenDim', 'maxIter', 'tol', 'gradMaxIter', 'gradTol', 'kappa'],
  build: (o) => new ImplicitRNN(o as never),
});
registerModelClass('SimpleRNN', { cls: SimpleRNN, optionNames: [...recurrentNames, 'nonlinearity'], build: (o) => new SimpleRNN(o as never) });
registerModelClass('GRU', { cls: GRU, optionNames: recurrentNames, build: (o) => new GRU(o as never) });
registerModelClass('LSTM', { cls: LSTM, optionNames: recurrentNames, build: (o) => new LSTM(o as never) });
registerModelClass('MinGRU', {
  cls: MinGRU, optionNames: ['terms', 'dim', 'expansionFactor'],
  build: (o) => new MinGRU(o.terms as number, o.dim as number, o.expansionFactor === undefined ? {} : { expansionFactor: o.expansionFactor as number }),
});

/** The registered names. */
export function modelClassNames(): string[] {
  return [...registry.keys()];
}

/** The registry name and entry of `model`'s class (its exact constructor), or null. */
export function modelClassOf(model: Module): [string, ModelClass] | null {
  for (const [name, entry] of registry) if (model.constructor === entry.cls) return [name, entry];
  return null;
}

/** A registered model's description, checked: its kind must be the name it is registered under. */
export function describeModel(where: string, model: Module): ModelDescription {
  const found = modelClassOf(model);
  if (!found || !isDescribable(model)) {
    throw new ArgumentError(`${where}: ${describeValue(model?.constructor?.name)} is not a registered model class `
      + `(known: ${modelClassNames().join(', ')}; add one with rnam.registerModelClass and give it a describe() method)`);
  }
  const d = model.describe();
  if (d.kind !== found[0]) throw new ArgumentError(`${where}: the model describes itself as ${describeValue(d.kind)} but is registered as ${found[0]}`);
  return d;
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
