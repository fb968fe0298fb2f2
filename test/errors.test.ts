// Bad input gets a clear error naming the layer, the expected and the actual shape, and never
// changes state.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as rnam from '../src/index.js';

const test = suite('errors on bad input');

function throwsWith(fn: () => unknown, ...fragments: string[]): void {
  try {
    fn();
  } catch (err) {
    const message = (err as Error).message;
    for (const f of fragments) assert.ok(message.includes(f), `message "${message}" lacks "${f}"`);
    return;
  }
  assert.unreachable(`expected an error mentioning ${fragments.join(', ')}`);
}

test('Linear: wrong rank, terms or inDim', () => {
  const lin = new rnam.Linear(2, 3, 4);
  const name = 'Linear(terms=2, inDim=3, outDim=4, bias=true)';
  throwsWith(() => lin.forward(rnam.zeros([2, 3])), name, '(2, *, 3)', 'got (2, 3)');
  throwsWith(() => lin.forward(rnam.zeros([3, 5, 3])), name, 'got (3, 5, 3)');
  throwsWith(() => lin.forward(rnam.zeros([2, 5, 4])), name, 'got (2, 5, 4)');
  throwsWith(() => new rnam.Linear(0, 3, 4), 'terms must be a positive integer');
});

test('MinGRU: wrong rank, terms, dim, and prevHidden of the wrong shape', () => {
  const gru = new rnam.MinGRU(2, 4, { expansionFactor: 2 });
  const name = 'MinGRU(terms=2, dim=4, expansionFactor=2)';
  throwsWith(() => gru.forward(rnam.zeros([2, 3, 4])), name, 'input', 'got (2, 3, 4)');
  throwsWith(() => gru.forward(rnam.zeros([3, 1, 5, 4])), name, 'got (3, 1, 5, 4)');
  throwsWith(() => gru.forward(rnam.zeros([2, 1, 5, 3])), name, 'got (2, 1, 5, 3)');
  throwsWith(() => gru.forward(rnam.zeros([2, 1, 5, 4]), rnam.zeros([2, 1, 1, 4])), name, 'prevHidden', '(2, 1, 1, 8)', 'got (2, 1, 1, 4)');
  throwsWith(() => gru.forward(rnam.zeros([2, 3, 5, 4]), rnam.zeros([2, 1, 1, 8])), 'prevHidden', '(2, 3, 1, 8)', 'got (2, 1, 1, 8)');
  throwsWith(() => new rnam.MinGRU(2, 1, { expansionFactor: 0.5 }), 'leaves no hidden units');
});

test('loadStateDict: missing, unexpected and misshapen tensors are named, and nothing is written', async () => {
  const lin = new rnam.Linear(2, 3, 4);
  const before = await lin.weight.toArray();
  const goodWeight = rnam.ones([2, 3, 4]);
  throwsWith(() => lin.loadStateDict({ weight: goodWeight }), 'missing bias', '(2, 1, 4)');
  throwsWith(() => lin.loadStateDict({ weight: goodWeight, bias: rnam.zeros([2, 4]) }), 'bias: expected shape (2, 1, 4), got (2, 4)');
  throwsWith(() => lin.loadStateDict({ weight: goodWeight, bias: rnam.zeros([2, 1, 4]), extra: rnam.zeros([1]) }), 'unexpected extra');
  assert.equal([...(await lin.weight.toArray())], [...before], 'weights changed by a failed load');
  lin.loadStateDict({ weight: goodWeight }, { strict: false });
  assert.ok((await lin.weight.toArray()).every((v) => v === 1));
});

test('tensor, reshape, slice, cat and add reject bad shapes', () => {
  throwsWith(() => rnam.tensor([1, 2, 3], [2, 2]), '3 values do not fill shape (2, 2)');
  throwsWith(() => rnam.zeros([2, 3]).reshape(4, 2), 'cannot reshape (2, 3) to (4, 2)');
  throwsWith(() => rnam.zeros([2, 3]).reshape(-1, -1), 'invalid target shape');
  throwsWith(() => rnam.slice(rnam.zeros([2, 3]), 2, 0, 1), 'axis 2 is out of range');
  throwsWith(() => rnam.cat([rnam.zeros([2, 3]), rnam.zeros([3, 3])], 1), 'differ outside axis 1');
  throwsWith(() => rnam.add(rnam.zeros([2, 3]), rnam.zeros([3, 2])), 'add: shapes (2, 3) and (3, 2) differ');
});

test('backward: non-scalar without a gradient, a second time, a NaN loss, a tensor without grad', () => {
  const x = rnam.tensor([1, 2, 3, 4, 5, 6], [1, 2, 3], { requiresGrad: true });
  const lin = new rnam.Linear(1, 3, 1);
  const y = lin.forward(x);
  throwsWith(() => y.backward(), 'a gradient is needed for a non-scalar output of shape (1, 2, 1)');
  throwsWith(() => y.backward(rnam.ones([2, 1])), 'gradient of shape (2, 1) given for an output of shape (1, 2, 1)');
  y.backward(rnam.ones([1, 2, 1]));
  throwsWith(() => y.backward(rnam.ones([1, 2, 1])), 'already released');
  const nan = rnam.linear(rnam.tensor([NaN], [1, 1, 1]), rnam.tensor([1], [1, 1, 1], { requiresGrad: true }));
  throwsWith(() => nan.backward(), 'the output is NaN');
  throwsWith(() => rnam.zeros([1]).backward(), 'does not require grad');
});

test.run();
