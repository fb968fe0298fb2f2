// Fused recurrences of the classic cells, with PyTorch semantics (gate orders GRU (r, z, n) and
// LSTM (i, f, g, o)): one call runs the whole time loop of one layer for a block of batch rows,
// forward or backward (BPTT). The input projection xg = x W_ih^T + b_ih of all steps is computed
// beforehand by the grouped linear kernel; these kernels add W_hh h_{t-1} + b_hh and apply the cell.
//
// Layouts (row-major, float32). A "row" is one (time step, batch row) pair; rows are addressed as
// row(t, b) = t * strideT + b * strideB, so time-major (seq, batch, *) and batch-first
// (batch, seq, *) tensors are read in place. G = gates per cell (1, 3, 4), H = hidden size.
//   xg (rows, G*H)      input projection; GRU and LSTM overwrite it with the gate activations
//                        (r, z, n) / (i, f, g, o), which backward reads.
//   whhT (H, G*H)       W_hh transposed (forward: SIMD over gate units);
//   whh (G*H, H)        W_hh in PyTorch's layout (backward: SIMD over hidden units);
//   bhh (G*H), h0, c0, dh0, dc0 (batch, H); out, c, hn, dout (rows, H); dg, dgh (rows, G*H).
// A pointer of 0 means "absent" (h0/c0 absent = zeros; dout absent = zero gradient).
// lengths (batch), optional: each batch row's valid steps as float32 integers (right padding,
// PyTorch's packed-sequence semantics). Steps t >= lengths[b] keep h (and c) unchanged and write a
// zero output (the LSTM's c row holds the carried cell state, so its last row is cN); backward
// writes zero gate gradients there and carries nothing through them. Without lengths every step
// is valid and runs exactly the operations it ran before lengths existed.
// Batch rows [b0, b0 + nb) are processed; rows of different batch entries never interact, so any
// split of the batch over threads gives the same bits. SIMD lanes and the scalar tails run the same
// IEEE operations in the same order (wasm has no FMA), so the SIMD and scalar builds agree bit for bit.
// Every state carried over time (h, c, the BPTT carries) and every gate value or gradient written
// is flushed (./flush.ts): carries decay geometrically, and so do states under zero inputs.
import { sigmoidf, sigmoid4 } from "./math";
import { flush, flush4 } from "./flush";

const ACT_SIGMOID = 0, ACT_TANH = 1, ACT_RELU = 2, ACT_NONE = 3;

// @ts-ignore: decorator
@inline
function tanhf(x: f32): f32 {
  return 2 * sigmoidf(2 * x) - 1; // as the unary tanh kernel
}

// @ts-ignore: decorator
@inline
function tanh4(x: v128): v128 {
  const two = f32x4.splat(2);
  return f32x4.sub(f32x4.mul(two, sigmoid4(f32x4.mul(two, x))), f32x4.splat(1));
}

// @ts-ignore: decorator
@inline
function act1(x: f32, act: i32): f32 {
  if (act == ACT_SIGMOID) return sigmoidf(x);
  if (act == ACT_TANH) return tanhf(x);
  if (act == ACT_RELU) return max<f32>(x, 0);
  return x;
}

// @ts-ignore: decorator
@inline
function act4(x: v128, act: i32): v128 {
  if (act == ACT_SIGMOID) return sigmoid4(x);
  if (act == ACT_TANH) return tanh4(x);
  if (act == ACT_RELU) return f32x4.max(x, f32x4.splat(0));
  return x;
}

// @ts-ignore: decorator
@inline
function finish4(acc: v128, bias: usize, src: usize, dst: usize, off: usize, act: i32): void {
  if (bias) acc = f32x4.add(acc, v128.load(bias + off));
  if (src) acc = f32x4.add(v128.load(src + off), acc);
  v128.store(dst + off, flush4(act4(acc, act)));
}

// One gate block of n units: dst[j] = act(src[j] + (sum_k hp[k] wT[k, j] + bias[j])), k ascending;
// hp = 0 means h_{t-1} = 0, src = 0 means no input term, bias = 0 no bias. wT, bias, src, dst
// point at the block's first unit; ldw is the byte stride between rows of wT. src may equal dst.
function gateBlock(hp: usize, wT: usize, ldw: usize, bias: usize, src: usize, dst: usize, H: i32, n: i32, act: i32): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 16 <= n; j += 16) {
      const off = <usize>j << 2;
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
      if (hp) {
        let wp = wT + off;
        for (let k = 0; k < H; k++) {
          const hv = f32x4.splat(load<f32>(hp + (<usize>k << 2)));
          a0 = f32x4.add(a0, f32x4.mul(hv, v128.load(wp)));
          a1 = f32x4.add(a1, f32x4.mul(hv, v128.load(wp, 16)));
          a2 = f32x4.add(a2, f32x4.mul(hv, v128.load(wp, 32)));
          a3 = f32x4.add(a3, f32x4.mul(hv, v128.load(wp, 48)));
          wp += ldw;
        }
      }
      finish4(a0, bias, src, dst, off, act);
      finish4(a1, bias, src, dst, off + 16, act);
      finish4(a2, bias, src, dst, off + 32, act);
      finish4(a3, bias, src, dst, off + 48, act);
    }
    for (; j + 4 <= n; j += 4) {
      const off = <usize>j << 2;
      let a0 = f32x4.splat(0);
      if (hp) {
        let wp = wT + off;
        for (let k = 0; k < H; k++) {
          a0 = f32x4.add(a0, f32x4.mul(f32x4.splat(load<f32>(hp + (<usize>k << 2))), v128.load(wp)));
          wp += ldw;
        }
      }
      finish4(a0, bias, src, dst, off, act);
    }
  }
  for (; j < n; j++) {
    const off = <usize>j << 2;
    let acc: f32 = 0;
    if (hp) {
      let wp = wT + off;
      for (let k = 0; k < H; k++) {
        acc += load<f32>(hp + (<usize>k << 2)) * load<f32>(wp);
        wp += ldw;
      }
    }
    if (bias) acc += load<f32>(bias + off);
    if (src) acc = load<f32>(src + off) + acc;
    store<f32>(dst + off, flush(act1(acc, act)));
  }
}

// carry[k] += sum_j dg[j] w[j, k] over j in [0, GH) ascending, for k in [0, H): the gradient
// reaching h_{t-1} through W_hh, flushed. w is (GH, H) in PyTorch's layout.
function carryBack(dg: usize, w: usize, carry: usize, H: i32, GH: i32): void {
  const ldw = <usize>H << 2;
  let k = 0;
  if (ASC_FEATURE_SIMD) {
    for (; k + 16 <= H; k += 16) {
      const off = <usize>k << 2;
      let a0 = v128.load(carry + off), a1 = v128.load(carry + off, 16);
      let a2 = v128.load(carry + off, 32), a3 = v128.load(carry + off, 48);
      let wp = w + off;
      for (let j = 0; j < GH; j++) {
        const gv = f32x4.splat(load<f32>(dg + (<usize>j << 2)));
        a0 = f32x4.add(a0, f32x4.mul(gv, v128.load(wp)));
        a1 = f32x4.add(a1, f32x4.mul(gv, v128.load(wp, 16)));
        a2 = f32x4.add(a2, f32x4.mul(gv, v128.load(wp, 32)));
        a3 = f32x4.add(a3, f32x4.mul(gv, v128.load(wp, 48)));
        wp += ldw;
      }
      v128.store(carry + off, flush4(a0));
      v128.store(carry + off, flush4(a1), 16);
      v128.store(carry + off, flush4(a2), 32);
      v128.store(carry + off, flush4(a3), 48);
    }
    for (; k + 4 <= H; k += 4) {
      const off = <usize>k << 2;
      let a0 = v128.load(carry + off);
      let wp = w + off;
      for (let j = 0; j < GH; j++) {
        a0 = f32x4.add(a0, f32x4.mul(f32x4.splat(load<f32>(dg + (<usize>j << 2))), v128.load(wp)));
        wp += ldw;
      }
      v128.store(carry + off, flush4(a0));
    }
  }
  for (; k < H; k++) {
    const off = <usize>k << 2;
    let acc = load<f32>(carry + off);
    let wp = w + off;
    for (let j = 0; j < GH; j++) {
      acc += load<f32>(dg + (<usize>j << 2)) * load<f32>(wp);
      wp += ldw;
    }
    store<f32>(carry + off, flush(acc));
  }
}

// @ts-ignore: decorator
@inline
function validSteps(lengths: usize, b: i32, seq: i32): i32 {
  return lengths ? min<i32>(<i32>load<f32>(lengths + (<usize>b << 2)), seq) : seq;
}

// @ts-ignore: decorator
@inline
function rowOf(t: i32, b: i32, strideT: i32, strideB: i32): usize {
  return <usize>t * <usize>strideT + <usize>b * <usize>strideB;
}

// ---------------------------------------------------------------------------------------------
// Elman RNN: h_t = act(xg_t + W_hh h_{t-1} + b_hh), act = tanh or relu. Backward needs only out.

export function rnn_forward(xg: usize, whhT: usize, bhh: usize, h0: usize, out: usize, lengths: usize,
  b0: i32, nb: i32, seq: i32, H: i32, strideT: i32, strideB: i32, relu: i32): void {
  const rowH = <usize>H << 2;
  const act = relu ? ACT_RELU : ACT_TANH;
  for (let b = b0; b < b0 + nb; b++) {
    let hp: usize = h0 ? h0 + <usize>b * rowH : 0;
    const len = validSteps(lengths, b, seq);
    for (let t = len; t < seq; t++) memory.fill(out + rowOf(t, b, strideT, strideB) * rowH, 0, rowH);
    for (let t = 0; t < len; t++) {
      const row = rowOf(t, b, strideT, strideB);
      const hr = out + row * rowH;
      gateBlock(hp, whhT, rowH, bhh, xg + row * rowH, hr, H, H, act);
      hp = hr;
    }
  }
}

// dg_t = (dout_t + carry) * act'(h_t); carry = W_hh^T dg_t. dh0 (batch, H) holds the carry and
// ends as the gradient of h0.
export function rnn_backward(whh: usize, out: usize, dout: usize, dg: usize, dh0: usize, lengths: usize,
  b0: i32, nb: i32, seq: i32, H: i32, strideT: i32, strideB: i32, relu: i32): void {
  const rowH = <usize>H << 2;
  for (let b = b0; b < b0 + nb; b++) {
    const carry = dh0 + <usize>b * rowH;
    memory.fill(carry, 0, rowH);
    const len = validSteps(lengths, b, seq);
    for (let t = len; t < seq; t++) memory.fill(dg + rowOf(t, b, strideT, strideB) * rowH, 0, rowH);
    for (let t = len - 1; t >= 0; t--) {
      const row = rowOf(t, b, strideT, strideB);
      const hr = out + row * rowH, dr = dg + row * rowH;
      for (let k = 0; k < H; k++) {
        const off = <usize>k << 2;
        const d: f32 = (dout ? load<f32>(dout + row * rowH + off) : 0) + load<f32>(carry + off);
        const h = load<f32>(hr + off);
        store<f32>(dr + off, flush(relu ? (h > 0 ? d : 0) : d * (1 - h * h)));
        store<f32>(carry + off, 0);
      }
      carryBack(dr, whh, carry, H, H);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// GRU: r = sigmoid(xr + hr), z = sigmoid(xz + hz), n = tanh(xn + r * hn), h = (1 - z) n + z h_{t-1},
// with (hr, hz, hn) = W_hh h_{t-1} + b_hh. xg is overwritten with (r, z, n); hn (rows, H) is saved.

export function gru_forward(xg: usize, whhT: usize, bhh: usize, h0: usize, out: usize, hn: usize, lengths: usize,
  b0: i32, nb: i32, seq: i32, H: i32, strideT: i32, strideB: i32): void {
  const rowH = <usize>H << 2;
  const rowG = rowH * 3;
  for (let b = b0; b < b0 + nb; b++) {
    let hp: usize = h0 ? h0 + <usize>b * rowH : 0;
    const len = validSteps(lengths, b, seq);
    for (let t = len; t < seq; t++) {
      const row = rowOf(t, b, strideT, strideB);
      memory.fill(out + row * rowH, 0, rowH);
      memory.fill(hn + row * rowH, 0, rowH);
    }
    for (let t = 0; t < len; t++) {
      const row = rowOf(t, b, strideT, strideB);
      const g = xg + row * rowG, hnr = hn + row * rowH, hr = out + row * rowH;
      gateBlock(hp, whhT, rowG, bhh, g, g, H, H, ACT_SIGMOID);
      gateBlock(hp, whhT + rowH, rowG, bhh ? bhh + rowH : 0, g + rowH, g + rowH, H, H, ACT_SIGMOID);
      gateBlock(hp, whhT + 2 * rowH, rowG, bhh ? bhh + 2 * rowH : 0, 0, hnr, H, H, ACT_NONE);
      let k = 0;
      if (ASC_FEATURE_SIMD) {
        const one = f32x4.splat(1);
        for (; k + 4 <= H; k += 4) {
          const off = <usize>k << 2;
          const r = v128.load(g + off), z = v128.load(g + rowH + off);
          const n = flush4(tanh4(f32x4.add(v128.load(g + 2 * rowH + off), f32x4.mul(r, v128.load(hnr + off)))));
          const prev = hp ? v128.load(hp + off) : f32x4.splat(0);
          v128.store(g + 2 * rowH + off, n);
          v128.store(hr + off, flush4(f32x4.add(f32x4.mul(f32x4.sub(one, z), n), f32x4.mul(z, prev))));
        }
      }
      for (; k < H; k++) {
        const off = <usize>k << 2;
        const r = load<f32>(g + off), z = load<f32>(g + rowH + off);
        const n = flush(tanhf(load<f32>(g + 2 * rowH + off) + r * load<f32>(hnr + off)));
        const prev: f32 = hp ? load<f32>(hp + off) : 0;
        store<f32>(g + 2 * rowH + off, n);
        store<f32>(hr + off, flush((1 - z) * n + z * prev));
      }
      hp = hr;
    }
  }
}

// Writes dgi = d(xg) (rows, 3H) and dgh = d(W_hh h_{t-1} + b_hh) (rows, 3H): equal except for the
// n block, where dgh = dgi * r. dh0 (batch, H) enters holding h0 (zeros when there is none), then
// holds the carry and ends as the gradient of h0.
export function gru_backward(whh: usize, g: usize, hn: usize, out: usize, dout: usize,
  dgi: usize, dgh: usize, dh0: usize, lengths: usize, b0: i32, nb: i32, seq: i32, H: i32, strideT: i32, strideB: i32): void {
  const rowH = <usize>H << 2;
  const rowG = rowH * 3;
  for (let b = b0; b < b0 + nb; b++) {
    const len = validSteps(lengths, b, seq);
    for (let t = len; t < seq; t++) {
      const row = rowOf(t, b, strideT, strideB);
      memory.fill(dgi + row * rowG, 0, rowG);
      memory.fill(dgh + row * rowG, 0, rowG);
    }
    if (seq == 0) {
      memory.fill(dh0 + <usize>b * rowH, 0, rowH);
      continue;
    }
    const carry = dh0 + <usize>b * rowH;
    // The carry overwrites h0, which the last step (t = 0) needs: keep it in the n block of dgi's
    // t = 0 row, written only by that step, element k after h0[k] has been read.
    const h0 = dgi + rowOf(0, b, strideT, strideB) * rowG + 2 * rowH;
    memory.copy(h0, carry, rowH);
    memory.fill(carry, 0, rowH);
    for (let t = len - 1; t >= 0; t--) {
      const row = rowOf(t, b, strideT, strideB);
      const gr = g + row * rowG, hnr = hn + row * rowH, di = dgi + row * rowG, dh = dgh + row * rowG;
      const hp: usize = t > 0 ? out + rowOf(t - 1, b, strideT, strideB) * rowH : h0;
      for (let k = 0; k < H; k++) {
        const off = <usize>k << 2;
        const d: f32 = (dout ? load<f32>(dout + row * rowH + off) : 0) + load<f32>(carry + off);
        const r = load<f32>(gr + off), z = load<f32>(gr + rowH + off), n = load<f32>(gr + 2 * rowH + off);
        const prev = load<f32>(hp + off);
        const dnp = flush(d * (1 - z) * (1 - n * n));
        const dzp = flush(d * (prev - n) * z * (1 - z));
        const drp = flush(dnp * load<f32>(hnr + off) * r * (1 - r));
        store<f32>(di + off, drp);
        store<f32>(di + rowH + off, dzp);
        store<f32>(di + 2 * rowH + off, dnp);
        store<f32>(dh + off, drp);
        store<f32>(dh + rowH + off, dzp);
        store<f32>(dh + 2 * rowH + off, flush(dnp * r));
        store<f32>(carry + off, flush(d * z));
      }
      carryBack(dh, whh, carry, H, 3 * H);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// LSTM: (i, f, g, o) = (sigmoid, sigmoid, tanh, sigmoid)(xg + W_hh h_{t-1} + b_hh),
// c_t = f c_{t-1} + i g, h_t = o tanh(c_t). xg is overwritten with (i, f, g, o); c (rows, H) is saved.

export function lstm_forward(xg: usize, whhT: usize, bhh: usize, h0: usize, c0: usize, out: usize, c: usize, lengths: usize,
  b0: i32, nb: i32, seq: i32, H: i32, strideT: i32, strideB: i32): void {
  const rowH = <usize>H << 2;
  const rowG = rowH * 4;
  for (let b = b0; b < b0 + nb; b++) {
    let hp: usize = h0 ? h0 + <usize>b * rowH : 0;
    let cp: usize = c0 ? c0 + <usize>b * rowH : 0;
    const len = validSteps(lengths, b, seq);
    for (let t = 0; t < len; t++) {
      const row = rowOf(t, b, strideT, strideB);
      const g = xg + row * rowG, cr = c + row * rowH, hr = out + row * rowH;
      for (let q = 0; q < 4; q++) {
        const at = <usize>q * rowH;
        gateBlock(hp, whhT + at, rowG, bhh ? bhh + at : 0, g + at, g + at, H, H, q == 2 ? ACT_TANH : ACT_SIGMOID);
      }
      let k = 0;
      if (ASC_FEATURE_SIMD) {
        for (; k + 4 <= H; k += 4) {
          const off = <usize>k << 2;
          const prev = cp ? v128.load(cp + off) : f32x4.splat(0);
          const cn = flush4(f32x4.add(f32x4.mul(v128.load(g + rowH + off), prev), f32x4.mul(v128.load(g + off), v128.load(g + 2 * rowH + off))));
          v128.store(cr + off, cn);
          v128.store(hr + off, flush4(f32x4.mul(v128.load(g + 3 * rowH + off), tanh4(cn))));
        }
      }
      for (; k < H; k++) {
        const off = <usize>k << 2;
        const prev: f32 = cp ? load<f32>(cp + off) : 0;
        const cn = flush(load<f32>(g + rowH + off) * prev + load<f32>(g + off) * load<f32>(g + 2 * rowH + off));
        store<f32>(cr + off, cn);
        store<f32>(hr + off, flush(load<f32>(g + 3 * rowH + off) * tanhf(cn)));
      }
      hp = hr;
      cp = cr;
    }
    for (let t = len; t < seq; t++) { // padded: zero output, the cell state carried (cN = the last row)
      const row = rowOf(t, b, strideT, strideB);
      memory.fill(out + row * rowH, 0, rowH);
      if (cp) memory.copy(c + row * rowH, cp, rowH);
      else memory.fill(c + row * rowH, 0, rowH);
    }
  }
}

// Writes dg = d(gate pre-activations) (rows, 4H), the gradient of both xg and W_hh h_{t-1} + b_hh.
// dh0 and dc0 (batch, H) hold the carries and end as the gradients of h0 and c0; dc0 enters holding
// dcN, the gradient of the last cell state (zeros when there is none), where the cell carry starts.
export function lstm_backward(whh: usize, g: usize, c: usize, c0: usize, dout: usize,
  dg: usize, dh0: usize, dc0: usize, lengths: usize, b0: i32, nb: i32, seq: i32, H: i32, strideT: i32, strideB: i32): void {
  const rowH = <usize>H << 2;
  const rowG = rowH * 4;
  for (let b = b0; b < b0 + nb; b++) {
    const carry = dh0 + <usize>b * rowH, dcc = dc0 + <usize>b * rowH;
    memory.fill(carry, 0, rowH);
    const len = validSteps(lengths, b, seq);
    for (let t = len; t < seq; t++) memory.fill(dg + rowOf(t, b, strideT, strideB) * rowG, 0, rowG);
    for (let t = len - 1; t >= 0; t--) {
      const row = rowOf(t, b, strideT, strideB);
      const gr = g + row * rowG, cr = c + row * rowH, dr = dg + row * rowG;
      const cp: usize = t > 0 ? c + rowOf(t - 1, b, strideT, strideB) * rowH : (c0 ? c0 + <usize>b * rowH : 0);
      for (let k = 0; k < H; k++) {
        const off = <usize>k << 2;
        const d: f32 = (dout ? load<f32>(dout + row * rowH + off) : 0) + load<f32>(carry + off);
        const i = load<f32>(gr + off), f = load<f32>(gr + rowH + off);
        const gg = load<f32>(gr + 2 * rowH + off), o = load<f32>(gr + 3 * rowH + off);
        const tc = tanhf(load<f32>(cr + off));
        const prev: f32 = cp ? load<f32>(cp + off) : 0;
        const dc = load<f32>(dcc + off) + d * o * (1 - tc * tc);
        store<f32>(dr + off, flush(dc * gg * i * (1 - i)));
        store<f32>(dr + rowH + off, flush(dc * prev * f * (1 - f)));
        store<f32>(dr + 2 * rowH + off, flush(dc * i * (1 - gg * gg)));
        store<f32>(dr + 3 * rowH + off, flush(d * tc * o * (1 - o)));
        store<f32>(dcc + off, flush(dc * f));
        store<f32>(carry + off, 0);
      }
      carryBack(dr, whh, carry, H, 4 * H);
    }
  }
}
