// `rnam predict`: a model file and a CSV to one row per sample (see usage), through loadTrained and
// predictTable; written atomically, never over an input.
import Papa from 'papaparse';
import { device as chooseDevice, loadTrained, predictTable } from '../index.js';
import { writeFilesAtomically } from '../io/atomic-write.js';
import type { PredictArgs } from './args.js';
import { checkOutFile, readInput } from './files.js';
import type { Log } from './train.js';

export async function predictCommand(args: PredictArgs, log: Log): Promise<number> {
  checkOutFile(args.out, [args.model, args.data]);
  const modelBytes = readInput(args.model, 'the model file');
  const text = readInput(args.data, 'the data file').toString('utf8');
  const dev = await chooseDevice(args.device);
  const trained = await loadTrained(new Uint8Array(modelBytes.buffer, modelBytes.byteOffset, modelBytes.byteLength), { device: dev });
  if (trained.intervals) {
    const rolling = trained.intervals.recent ? ', rolling with each series\' known targets' : '';
    log(`intervals: prediction ± ${trained.intervals.halfWidth.toPrecision(4)} (${trained.intervals.coverage * 100}% coverage${rolling})`);
  }
  if (!trained.centered) log('the model file has no centering (written by an older rnam): contributions are the model\'s own, uncentered');
  const p = await predictTable(trained, text, { batchSize: args.batchSize, rawCells: args.rawCells });
  await writeFilesAtomically([[args.out, Papa.unparse({ fields: p.header, data: [...p.rows()] }) + '\n']]);
  const known = p.targetKnown.filter(Boolean).length;
  const metrics = p.metrics ? `; on them: ${Object.entries(p.metrics).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ')}` : '';
  log(`wrote ${p.samples} predictions to ${args.out} (${known} with a known target${metrics})`);
  return p.samples;
}
