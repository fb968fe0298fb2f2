// The job the queue tests run: real, deterministic CPU work (a one-member model trained by
// trainTable on a small synthetic table from a per-job seed, on the wasm backend), returning its
// predictions; run by the worker processes of test/helpers/queue-worker.ts and in-process alike.
import { predictTable, trainTable } from '../../src/index.js';

/** A plain table y = sin(x1) + x2 * x3 + noise, as CSV text (about 19 KB: over BLOB_MIN_CHARS, so it travels as a blob). */
export function syntheticCsv(rows = 500): string {
  const lines = ['x1,x2,x3,y'];
  let s = 12345;
  const next = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i < rows; i++) {
    const x1 = next() * 6 - 3, x2 = next() * 2 - 1, x3 = next() * 2 - 1;
    lines.push([x1, x2, x3, Math.sin(x1) + x2 * x3 + 0.1 * (next() - 0.5)].map((v) => v.toFixed(6)).join(','));
  }
  return lines.join('\n');
}

export interface TrainPayload {
  csv: string;
  seed: number;
}

/** 'train': the predictions of a model trained from the payload's seed; 'fail': throws the payload's message. */
export async function queueTestJob(kind: string, payload: unknown): Promise<unknown> {
  if (kind === 'fail') throw new Error(`deliberate failure: ${(payload as { message: string }).message}`);
  if (kind !== 'train') throw new Error(`unknown job kind '${kind}'`);
  const { csv, seed } = payload as TrainPayload;
  const trained = await trainTable(csv, { target: 'y', members: 1, epochs: 3, hiddenDim: 4, batchSize: 32, seed, device: 'wasm' });
  const predicted = await predictTable(trained, csv);
  return Array.from(predicted.prediction);
}
