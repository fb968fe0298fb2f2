// Memory: activations inside module forwards are freed without dispose (at once when no graph
// needs them, otherwise by backward); repeated training steps keep memory flat.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as rnam from '../src/index.js';

const test = suite('memory');
const live = () => rnam.cpu.memoryStats().liveBytes;
const reserved = () => rnam.cpu.memoryStats().reservedBytes;

test('without grad, a forward keeps only what it returns', () => {
  const gru = new rnam.MinGRU(2, 8, { expansionFactor: 2 });
  const x = rnam.zeros([2, 4, 64, 8]);
  const before = live();
  const [out, last] = rnam.noGrad(() => gru.forward(x));
  const outBytes = out.numel * 4, lastBytes = last.numel * 4;
  assert.ok(live() - before <= (outBytes + lastBytes) * 1.25 + 64, `kept ${live() - before} bytes for ${outBytes + lastBytes} returned`);
  out.dispose();
  last.dispose();
  assert.is(live(), before);
});

class Net extends rnam.Module {
  readonly emb = this.registerModule('emb', new rnam.Linear(4, 1, 8));
  readonly gru = this.registerModule('gru', new rnam.MinGRU(4, 8, { expansionFactor: 2 }));
  forward(x: rnam.Tensor): rnam.Tensor {
    return this.gru.forward(this.emb.forward(x))[0];
  }
}

/** Runs `steps` steps after a warm-up one; live and reserved bytes must not move. */
function assertFlat(step: () => void, steps = 300): void {
  step();
  const liveAfterFirst = live(), reservedAfterFirst = reserved();
  for (let i = 0; i < steps; i++) step();
  assert.is(live(), liveAfterFirst, 'live bytes grew');
  assert.is(reserved(), reservedAfterFirst, 'reserved bytes grew');
}

test('300 forward/backward steps of a module: memory stays flat with only the output disposed', () => {
  const net = new Net();
  const x = rnam.full([4, 8, 128, 1], 0.5);
  const dy = rnam.ones([4, 8, 128, 8]);
  assertFlat(() => {
    const out = net.forward(x);
    out.backward(dy);
    out.dispose();
    net.zeroGrad();
  });
});

test('300 steps composed at top level inside rnam.tidy: memory stays flat with nothing disposed', () => {
  const emb = new rnam.Linear(4, 1, 8);
  const gru = new rnam.MinGRU(4, 8);
  const x = rnam.full([4, 8, 128, 1], 0.5);
  assertFlat(() => rnam.tidy(() => {
    const [out] = gru.forward(emb.forward(x));
    out.backward(rnam.ones(out.shape));
    emb.zeroGrad();
    gru.zeroGrad();
  }));
});

test('tidy frees what it does not return, even tensors autograd saved', () => {
  const lin = new rnam.Linear(2, 3, 3);
  const before = live();
  const kept = rnam.tidy(() => {
    const a = lin.forward(rnam.ones([2, 5, 3], { requiresGrad: true }));
    const b = lin.forward(a);
    b.backward(rnam.ones(b.shape));
    return rnam.noGrad(() => lin.forward(rnam.zeros([2, 1, 3])));
  });
  const gradBytes = lin.parameters().reduce((s, p) => s + p.grad!.numel * 4, 0);
  assert.ok(live() - before <= kept.numel * 4 + gradBytes + 64 * 3, `tidy leaked ${live() - before - kept.numel * 4 - gradBytes} bytes`);
});

test('a freed tensor says so when read', () => {
  const t = rnam.ones([2, 2]);
  t.dispose();
  assert.throws(() => t.toArraySync(), /was freed/);
});

test.run();
