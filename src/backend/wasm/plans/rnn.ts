// Classic recurrent cells, Elman RNN, GRU, LSTM (assembly/rnn.ts). Each batch row's time loop is
// independent of the others: the batch is cut into parts, and every row is computed the same way
// in any split. The exports take a range of batch rows and the row strides of one step and one row.
import type { FamilyPlans } from '../plan.js';
import { ptr } from '../runtime.js';

/** (strideT, strideB) in rows of a (seq, batch) or, batch-first, (batch, seq) row layout. */
function strides(batch: number, seq: number, batchFirst: boolean): { strideT: number; strideB: number } {
  return batchFirst ? { strideT: 1, strideB: seq } : { strideT: batch, strideB: 1 };
}

export const rnnPlans: FamilyPlans<'rnn'> = {
  rnn_forward(rt, { xg, whhT, bhh, h0, out, lengths, batch, seq, hidden, batchFirst, relu }) {
    const s = strides(batch, seq, batchFirst);
    rt.run('rnn_forward', rt.split(batch, seq * hidden * hidden, (b0, nb) => ({
      xg: ptr(xg), whhT: ptr(whhT), bhh: ptr(bhh), h0: ptr(h0), out: ptr(out), lengths: ptr(lengths), b0, nb, seq, hidden, ...s, relu: +relu,
    })));
  },

  rnn_backward(rt, { whh, out, dout, dg, dh0, lengths, batch, seq, hidden, batchFirst, relu }) {
    const s = strides(batch, seq, batchFirst);
    rt.run('rnn_backward', rt.split(batch, seq * hidden * hidden, (b0, nb) => ({
      whh: ptr(whh), out: ptr(out), dout: ptr(dout), dg: ptr(dg), dh0: ptr(dh0), lengths: ptr(lengths), b0, nb, seq, hidden, ...s, relu: +relu,
    })));
  },

  gru_forward(rt, { xg, whhT, bhh, h0, out, hn, lengths, batch, seq, hidden, batchFirst }) {
    const s = strides(batch, seq, batchFirst);
    rt.run('gru_forward', rt.split(batch, seq * 3 * hidden * hidden, (b0, nb) => ({
      xg: ptr(xg), whhT: ptr(whhT), bhh: ptr(bhh), h0: ptr(h0), out: ptr(out), hn: ptr(hn), lengths: ptr(lengths), b0, nb, seq, hidden, ...s,
    })));
  },

  gru_backward(rt, { whh, gates, hn, out, dout, dgi, dgh, dh0, lengths, batch, seq, hidden, batchFirst }) {
    const s = strides(batch, seq, batchFirst);
    rt.run('gru_backward', rt.split(batch, seq * 3 * hidden * hidden, (b0, nb) => ({
      whh: ptr(whh), gates: ptr(gates), hn: ptr(hn), out: ptr(out), dout: ptr(dout), dgi: ptr(dgi), dgh: ptr(dgh), dh0: ptr(dh0), lengths: ptr(lengths),
      b0, nb, seq, hidden, ...s,
    })));
  },

  lstm_forward(rt, { xg, whhT, bhh, h0, c0, out, c, lengths, batch, seq, hidden, batchFirst }) {
    const s = strides(batch, seq, batchFirst);
    rt.run('lstm_forward', rt.split(batch, seq * 4 * hidden * hidden, (b0, nb) => ({
      xg: ptr(xg), whhT: ptr(whhT), bhh: ptr(bhh), h0: ptr(h0), c0: ptr(c0), out: ptr(out), c: ptr(c), lengths: ptr(lengths), b0, nb, seq, hidden, ...s,
    })));
  },

  lstm_backward(rt, { whh, gates, c, c0, dout, dg, dh0, dc0, lengths, batch, seq, hidden, batchFirst }) {
    const s = strides(batch, seq, batchFirst);
    rt.run('lstm_backward', rt.split(batch, seq * 4 * hidden * hidden, (b0, nb) => ({
      whh: ptr(whh), gates: ptr(gates), c: ptr(c), c0: ptr(c0), dout: ptr(dout), dg: ptr(dg), dh0: ptr(dh0), dc0: ptr(dc0), lengths: ptr(lengths),
      b0, nb, seq, hidden, ...s,
    })));
  },
};
