// TensorFlow.js's side of bench/peers.bench.ts: one workload on one backend ('wasm' or 'cpu') in
// this process; prints one JSON line (median seconds, repetitions, peak RSS).
//   node --import tsx bench/peer-tfjs.ts --backend wasm|cpu --workload linear-fwd|linear-fwdbwd|gru-train|rnn-train
import path from 'node:path';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths, getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { childArgs, measure, report } from './peer-common.js';

const args = childArgs();
if (args.backend === 'wasm') {
  // The wasm backend's .wasm files ship inside its npm package.
  const pkg = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json');
  setWasmPaths(path.join(path.dirname(pkg), 'dist') + path.sep);
}
if (!(await tf.setBackend(args.backend))) throw new Error(`tfjs backend ${args.backend} did not initialise`);
await tf.ready();
const backendInfo = args.backend === 'wasm'
  ? `wasm (SIMD ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'yes' : 'no'}, ${getThreadsCount()} thread${getThreadsCount() === 1 ? '' : 's'})`
  : 'cpu (plain JS)';
const uniform = (shape: number[]) => tf.randomUniform(shape, -1, 1, 'float32', 1);

let fn: () => unknown;
switch (args.workload) {
  case 'linear-fwd': {
    // Backends run eagerly and synchronously: the matMul has run when it returns (no read-back, as for rnam).
    const x = uniform([8, 131072, 8]), w = uniform([8, 8, 16]), b = uniform([8, 1, 16]);
    fn = () => tf.tidy(() => tf.add(tf.matMul(x, w), b)).dispose();
    break;
  }
  case 'linear-fwdbwd': {
    // Forward, then backward from a given upstream gradient: dx, dw and db.
    const x = uniform([8, 131072, 8]), w = uniform([8, 8, 16]), b = uniform([8, 1, 16]);
    const dy = uniform([8, 131072, 16]);
    const grads = tf.grads((xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.add(tf.matMul(xx, ww), bb));
    fn = () => tf.dispose(grads([x, w, b], dy));
    break;
  }
  case 'gru-train':
  case 'rnn-train': {
    // One recurrent layer of 8 units on (128, 1024, 1), its last output, dense(1), MSE, Adam.
    const model = tf.sequential();
    const rnn = { units: 8, inputShape: [1024, 1] };
    model.add(args.workload === 'gru-train' ? tf.layers.gru(rnn) : tf.layers.simpleRNN(rnn));
    model.add(tf.layers.dense({ units: 1 }));
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
    const x = uniform([128, 1024, 1]), y = uniform([128, 1]);
    fn = async () => { await model.trainOnBatch(x, y); }; // resolves with the loss value (read back)
    break;
  }
  default:
    throw new Error(`peer-tfjs: unknown workload ${args.workload}`);
}

const timing = await measure(fn, args);
report({ impl: 'tfjs', version: tf.version.tfjs, backend: backendInfo, workload: args.workload, ...timing });
