// The shapes load() expects from a file's options, worked out without building the model, are the
// shapes the constructors build: every registered class, over a grid of options.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as rnam from '../src/index.js';
import { buildModel, modelClassNames } from '../src/io/model-registry.js';
import { expectedShapes, shapedClasses } from '../src/io/model-shapes.js';

const test = suite('model-shapes');

const grid: Record<string, Record<string, unknown>[]> = {
  FirstOrderRNAM: [{ terms: 1, hiddenDim: 1, outDim: 1, blocks: 0 }, { terms: 3, hiddenDim: 5, outDim: 2, blocks: 2 }, { terms: 2, hiddenDim: 4, outDim: 3, blocks: 3 }],
  SequenceModel: ['rnn', 'gru', 'lstm', 'mingru'].flatMap((cell) => [
    { cell, inputSize: 3, hiddenSize: 5, outDim: 2 }, { cell, inputSize: 2, hiddenSize: 4, numLayers: 3, outDim: 1 }]),
  ImplicitRNN: [{ inputDim: 3, outputDim: 2, implicitHiddenDim: 4, hiddenDim: 5 }, { inputDim: 1, outputDim: 1, implicitHiddenDim: 1, hiddenDim: 1, kappa: 0.5 }],
  SimpleRNN: [{ inputSize: 3, hiddenSize: 5 }, { inputSize: 2, hiddenSize: 3, numLayers: 2, bias: false, nonlinearity: 'relu' }],
  GRU: [{ inputSize: 3, hiddenSize: 5, numLayers: 2 }, { inputSize: 1, hiddenSize: 2, bias: false }],
  LSTM: [{ inputSize: 3, hiddenSize: 5 }, { inputSize: 4, hiddenSize: 2, numLayers: 3, batchFirst: true }],
  AdditiveRNAM: [
    { sequenceTerms: 2, stepInputs: 3, staticTerms: 1, categoricalLevels: [3, 2], hiddenDim: 4, blocks: 2, outDim: 1, members: 2 },
    { sequenceTerms: 0, stepInputs: 3, staticTerms: 2, categoricalLevels: [], hiddenDim: 3, blocks: 1, outDim: 3 },
    { sequenceTerms: 3, stepInputs: 2, staticTerms: 0, categoricalLevels: [4], hiddenDim: 2, blocks: 0, outDim: 1, linear: false },
  ],
  MinGRU: [{ terms: 3, dim: 5 }, { terms: 2, dim: 4, expansionFactor: 2 }, { terms: 1, dim: 3, expansionFactor: 1.5 }, { terms: 2, dim: 2, expansionFactor: 1 }],
};

test('every registered class has shapes, and they are the built model\'s state dict, in order', () => {
  // Every class rnam registers (the registered names rnam also exports; a caller may register more).
  const builtIn = modelClassNames().filter((n) => n in rnam);
  assert.equal([...shapedClasses].sort(), builtIn.sort());
  let cases = 0;
  for (const [name, list] of Object.entries(grid)) {
    for (const options of list) {
      const want = Object.entries(buildModel(name, options, 'test').stateDict()).map(([k, t]) => [k, [...t.shape]]);
      const got = [...expectedShapes(name, options)!];
      assert.equal(got, want, `${name} ${JSON.stringify(options)}`);
      cases++;
    }
  }
  assert.is(cases, Object.values(grid).flat().length);
});

test('options a constructor refuses give null (the constructor says why); unknown classes too', () => {
  assert.is(expectedShapes('FirstOrderRNAM', { terms: 0, hiddenDim: 1, outDim: 1, blocks: 1 }), null);
  assert.is(expectedShapes('FirstOrderRNAM', { terms: 1, hiddenDim: 1.5, outDim: 1, blocks: 1 }), null);
  assert.is(expectedShapes('FirstOrderRNAM', { terms: 1, hiddenDim: 1, outDim: 1, blocks: -1 }), null);
  assert.is(expectedShapes('SequenceModel', { cell: 'constructor', inputSize: 1, hiddenSize: 1, outDim: 1 }), null);
  assert.is(expectedShapes('MinGRU', { terms: 1, dim: 1, expansionFactor: 0.1 }), null);
  assert.is(expectedShapes('MinGRU', { terms: 1, dim: '2' }), null);
  assert.is(expectedShapes('Transformer', {}), null);
  assert.is(expectedShapes('__proto__', {}), null);
  assert.is(expectedShapes('toString', {}), null);
});

test('the entries are lazy: a billion blocks cost nothing until walked', () => {
  const it = expectedShapes('FirstOrderRNAM', { terms: 1, hiddenDim: 1, outDim: 1, blocks: 1e9 })![Symbol.iterator]();
  assert.equal(it.next().value, ['emb.weight', [1, 1, 1]]);
});

test.run();
