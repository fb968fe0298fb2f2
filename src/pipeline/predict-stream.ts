// predictStream: predictTable over a stream of rows (CSV text in chunks, a Node Readable, row
// objects) that is never held whole: whole ids are gathered into chunks of a few thousand samples,
// each chunk goes through the stored preprocessing and the model in batches, and its output rows
// come out before the next chunk is read. A sample's numbers depend only on its own id's rows (the
// preprocessing and the centering are fitted at training time), so the rows are those predictTable
// gives for the whole table, in the same order; each id's rows must be together in the stream.
import { checkOptions } from '../optim/options.js';
import { ArgumentError } from '../errors.js';
import { DataError } from '../data/errors.js';
import { timeKindOf, type TimeKind } from '../data/cells.js';
import { idChunks } from '../data/id-chunks.js';
import type { RowSource } from '../data/row-source.js';
import type { LongTable } from '../data/table.js';
import type { Metrics } from '../train/task.js';
import { KnownTargets, tableOutputs } from './outputs.js';
import type { TrainedModel } from './model-file.js';
import { checkPredictOptions, type PredictTableOptions } from './predict-table.js';
import { predictionHeader, predictionRows, type PredictionRow } from './prediction-rows.js';
import { UnseenLevelCounter, type UnseenLevel } from './unseen-levels.js';
import { ShortIdCounter, type ShortIds } from './short-ids.js';

export interface PredictStreamOptions extends PredictTableOptions {
  /**
   * Whole ids are gathered until a chunk holds about this many samples (panel mode: ids; window and
   * table modes: rows) or 8 times as many rows (default 4096); memory follows the chunk, not the stream.
   */
  chunkSamples?: number;
}

export interface StreamSummary {
  samples: number;
  /** Samples whose target the stream holds. */
  known: number;
  /** The task's metrics over them (null when none): the numbers predictTable gives. */
  metrics: Metrics | null;
  /** Categorical levels read so far that the model does not know, read as 'other'. */
  unseenLevels: UnseenLevel[];
  /** Window mode: the ids read so far with fewer rows than a window, which get no prediction. */
  shortIds: ShortIds;
}

export interface PredictionStream extends AsyncIterable<PredictionRow> {
  /** The CSV columns, known before any row is read. */
  readonly header: string[];
  /** The output rows a chunk at a time (read once: the stream is consumed). */
  batches(): AsyncGenerator<PredictionRow[]>;
  /** Samples, known targets and metrics of the rows read so far: complete once the stream is consumed. */
  summary(): StreamSummary;
}

const DEFAULT_CHUNK_SAMPLES = 4096;

export function predictStream(trained: TrainedModel, source: RowSource, options: PredictStreamOptions = {}): PredictionStream {
  checkOptions('predictStream', options, ['batchSize', 'rawCells', 'chunkSamples']);
  const { batchSize, raw } = checkPredictOptions('predictStream', trained, options);
  if (!source || typeof source !== 'object' || !('csv' in source || 'rows' in source)) {
    throw new ArgumentError('predictStream: the source must be { csv: text chunks (a Node Readable, a fetch body, strings) } or { rows: (async) iterable of row objects }');
  }
  const chunkSamples = options.chunkSamples ?? DEFAULT_CHUNK_SAMPLES;
  if (!Number.isInteger(chunkSamples) || chunkSamples < 1) throw new ArgumentError(`predictStream: chunkSamples must be a positive integer, got ${String(options.chunkSamples)}`);
  const pre = trained.preprocessing, r = pre.record;
  const known = new KnownTargets(pre), unseen = new UnseenLevelCounter(r), short = new ShortIdCounter();
  let samples = 0, started = false;
  // A series panel without a stored padded length (files of an older rnam) pads to the longest id: one chunk.
  const whole = r.inputs === 'series' && r.mode === 'panel' && r.maxLength === undefined;
  const timeKind = sameTimeKind(r.columns.time);
  async function* batches(): AsyncGenerator<PredictionRow[]> {
    if (started) throw new ArgumentError('predictStream: a prediction stream is read once');
    started = true;
    for await (const table of idChunks(source, { id: r.columns.id, mode: r.mode, chunkSamples: whole ? Number.MAX_SAFE_INTEGER : chunkSamples })) {
      timeKind(table);
      unseen.add(table);
      const { dataset, shortIds } = pre.transformParts(table, { weights: true });
      short.add(shortIds);
      if (!dataset) continue; // every id of the chunk is shorter than a window
      const o = await tableOutputs(trained.model, dataset, pre, trained.centering, batchSize);
      known.add(o);
      samples += o.samples;
      yield Array.from(predictionRows(trained, o, raw));
    }
    // as predictTable: data in which no id makes a sample is an error
    if (samples === 0 && short.list().count > 0) throw pre.noSampleError();
  }
  return {
    header: predictionHeader(trained, raw),
    batches,
    async* [Symbol.asyncIterator]() {
      for await (const rows of batches()) yield* rows;
    },
    summary: () => ({ samples, known: known.count, metrics: known.metrics(), unseenLevels: unseen.list(), shortIds: short.list() }),
  };
}

/**
 * A table reads its time kind (numbers or dates) from its first cell; a chunk's first row must agree
 * with the stream's, as every later row of the whole table would have to.
 */
function sameTimeKind(time: string | undefined): (table: LongTable) => void {
  let kind: TimeKind | undefined;
  return (table) => {
    const t = time === undefined ? -1 : table.columns.indexOf(time);
    if (t < 0) return;
    const cell = table.rows[0][t], k = timeKindOf(cell);
    if (kind === undefined) kind = k;
    else if (k !== undefined && k !== kind) {
      throw new DataError('non-numeric', `a time cell is not ${kind === 'number' ? 'a number' : 'a date'} like the column's first: '${String(cell)}'`, { column: time, row: table.rowNumbers[0] });
    }
  };
}
