// `rnam predict`: a model file and a CSV to one row per sample (see usage), through loadTrained and
// predictStream: the CSV is read and the predictions written a chunk of whole ids at a time, so
// memory follows the chunk, not the file. A file whose ids are not together is read whole instead
// (predictTable) when it is small enough to hold; --in-memory reads it whole from the start, --stream
// never does. Written atomically, never over an input.
import { createReadStream, statSync } from 'node:fs';
import { device as chooseDevice, loadTrained, predictStream, predictTable, predictionCsv, describeUnseenLevels, describeIds, DataError, type StreamSummary } from '../index.js';
import { writeFileAtomicallyFrom } from '../io/atomic-write.js';
import type { PredictArgs } from './args.js';
import { checkInputFile, checkOutFile, modelPath, readInput } from './files.js';
import { STREAM_ABOVE_BYTES, type Log } from './train.js';
import { exitNow, onSignals } from './signals.js';

export async function predictCommand(args: PredictArgs, log: Log): Promise<number> {
  const model = modelPath(args.model);
  checkOutFile(args.out, [model, args.data]);
  const modelBytes = readInput(model, 'the model file');
  checkInputFile(args.data, 'the data file');
  const dev = await chooseDevice(args.device);
  const trained = await loadTrained(new Uint8Array(modelBytes.buffer, modelBytes.byteOffset, modelBytes.byteLength), { device: dev });
  if (trained.intervals) {
    const rolling = trained.intervals.recent ? ', rolling with each series\' known targets' : '';
    log(`intervals: prediction ± ${trained.intervals.halfWidth.toPrecision(4)} (${trained.intervals.coverage * 100}% coverage${rolling})`);
  }
  if (!trained.centered) log('the model file has no centering (written by an older rnam): contributions are the model\'s own, uncentered');
  const options = { batchSize: args.batchSize, rawCells: args.rawCells };
  const whole = async (): Promise<StreamSummary> => {
    const p = await predictTable(trained, readInput(args.data, 'the data file').toString('utf8'), options);
    await writeFileAtomicallyFrom(args.out, predictionCsv(p.header, [Array.from(p.rows())]));
    return { samples: p.samples, known: p.targetKnown.filter(Boolean).length, metrics: p.metrics, unseenLevels: p.unseenLevels, shortIds: p.shortIds };
  };
  let summary: StreamSummary;
  if (args.inMemory) summary = await whole();
  else {
    const p = predictStream(trained, { csv: createReadStream(args.data, { highWaterMark: 1 << 20 }) }, options);
    // Reading the stream lets the event loop turn, so Ctrl-C stops at once, with no file half-written.
    const signals = onSignals((signal) => {
      log(`${signal === 'SIGINT' ? 'Ctrl-C' : signal}: stopped, nothing written`);
      exitNow(signal);
    });
    try {
      await writeFileAtomicallyFrom(args.out, predictionCsv(p.header, p.batches()));
      summary = p.summary();
    } catch (err) {
      if (!(err instanceof DataError && err.code === 'unsorted-stream')) throw err;
      const bytes = statSync(args.data).size;
      if (args.stream || bytes > STREAM_ABOVE_BYTES) {
        const why = args.stream ? 'with --stream' : `at ${(bytes / 2 ** 20).toFixed(0)} MiB (above the ${STREAM_ABOVE_BYTES / 2 ** 20} MiB read whole)`;
        log(`rnam predict reads the file a chunk of whole ids at a time ${why}: sort it by id, or pass --in-memory to read it whole`);
        throw err;
      }
      log(`the ids are not together (id '${err.id}' comes back at row ${err.row}): reading the file whole`);
      signals.dispose(); // reading whole never lets the event loop turn: Ctrl-C ends it the default way
      summary = await whole();
    } finally {
      signals.dispose();
    }
  }
  for (const line of describeUnseenLevels(summary.unseenLevels)) log(line);
  if (summary.shortIds.count) log(`no prediction for ${describeIds(summary.shortIds)}: fewer rows than a window of ${trained.preprocessing.record.window} steps`);
  const metrics = summary.metrics ? `; on them: ${Object.entries(summary.metrics).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ')}` : '';
  log(`wrote ${summary.samples} predictions to ${args.out} (${summary.known} with a known target${metrics})`);
  return summary.samples;
}
