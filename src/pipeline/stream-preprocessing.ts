// The mixed-input preprocessing fitted on a stream of rows that is never held whole (a CSV larger
// than memory): a first read chooses the columns and reads the target column (its task and labels
// decide what the statistics are), a second fits the statistics on the training split, both a chunk
// of whole ids at a time, with the in-memory fit's own pieces (ColumnProfiler, TargetColumnReader,
// MixedStatsAccumulator). Ids are split by a seeded hash of the id (or a split column), so each id's
// part is known as it comes; window mode splits each id's steps in time as in memory. Afterwards
// `chunks()` reads the stream again and yields each chunk's parts, transformed.
import { ArgumentError, describeValue } from '../errors.js';
import { DataError } from '../data/errors.js';
import { idChunks } from '../data/id-chunks.js';
import type { RowSource } from '../data/row-source.js';
import type { LongTable } from '../data/table.js';
import type { TimeKind } from '../data/cells.js';
import { hashedSplit } from '../data/split.js';
import { MixedStatsAccumulator, chunkDataset, chunkParts, streamTimeKind, windowNeeds, type SplitPart, type StreamSplit } from '../data/mixed-build.js';
import { ShortIdCounter } from './short-ids.js';
import type { MixedDataset } from '../data/mixed-dataset.js';
import { ColumnProfiler } from './columns.js';
import {
  Preprocessing, TargetColumnReader, columnsAsked, encodeTarget, fitNotes, mixedBuild, mixedMode, mixedRecord, mixedSetup, targetEncoding,
  type FitNotes, type PreprocessingOptions,
} from './preprocessing.js';

/** Distinct time gaps counted exactly; past this many the gap unit is the median of a sample of this many gaps. */
export const STREAM_GAP_CAP = 1 << 16;

/** One chunk's samples of each part, transformed (null where the chunk has none). */
export type ChunkDatasets = Record<SplitPart, MixedDataset | null>;

export interface StreamPreprocessing {
  preprocessing: Preprocessing;
  notes: FitNotes;
  /** Samples of each part (known targets), counted in the statistics read. */
  samples: Record<SplitPart, number>;
  /** True when the gap unit is the median of a sample of the gaps (more distinct gaps than STREAM_GAP_CAP). */
  gapSampled: boolean;
  /** Reads the stream again: each chunk of whole ids as the datasets of its parts. */
  chunks(): AsyncGenerator<ChunkDatasets>;
}

/** `open` returns a fresh stream of the same rows each time it is called (a file read again). */
export async function fitStreamPreprocessing(open: () => RowSource, options: PreprocessingOptions, chunkSamples: number): Promise<StreamPreprocessing> {
  if ((options.inputs ?? 'mixed') !== 'mixed') throw new ArgumentError(`preprocessing: a stream is read with mixed inputs (the additive model), got inputs ${describeValue(options.inputs)}`);
  const mode = mixedMode(options);
  const read = () => idChunks(open(), { id: options.id, mode, chunkSamples });
  // Read 1: the columns' roles and the target column.
  let setup: ReturnType<typeof mixedSetup> | null = null, profiler: ColumnProfiler | null = null, columns: readonly string[] = [];
  let kind: TimeKind = 'number';
  const reader = new TargetColumnReader();
  for await (const chunk of read()) {
    if (!setup) {
      columns = chunk.columns;
      setup = mixedSetup(columns, options);
      profiler = new ColumnProfiler(columns, columnsAsked(options, mode));
      const t = options.time === undefined ? -1 : columns.indexOf(options.time);
      if (options.time !== undefined && t < 0) throw new DataError('missing-column', `the time column is not in the header (${columns.join(', ')})`, { column: options.time });
      if (t >= 0) kind = streamTimeKind(chunk.rows[0][t], options.time!, chunk.rowNumbers[0]);
    }
    reader.addTable(chunk, setup.targetIndex);
    profiler!.add(chunk);
  }
  const encoding = targetEncoding(reader.column(), options, options.target);
  const chosen = profiler!.choose();
  const { build, features } = mixedBuild(columns, options, setup!, chosen, encoding.task);
  const split = options.split ?? {};
  const validation = split.validation ?? 0.15, test = split.test ?? 0.15;
  const streamSplit: StreamSplit = split.column !== undefined ? { column: split.column } : { of: hashedSplit({ validation, test, seed: split.seed ?? 0 }), validation, test };
  const encode = (chunk: LongTable) => (encoding.map ? encodeTarget(chunk, setup!.targetIndex, encoding.map) : chunk);

  // Read 2: the statistics of the training split.
  const acc = new MixedStatsAccumulator(build, STREAM_GAP_CAP);
  const samples: Record<SplitPart, number> = { train: 0, validation: 0, test: 0 };
  let skipped = 0;
  const short = new ShortIdCounter();
  for await (const chunk of read()) {
    const parts = chunkParts(encode(chunk), build, streamSplit, kind);
    acc.add(parts);
    for (const part of ['train', 'validation', 'test'] as const) samples[part] += parts.specs[part].length;
    skipped += parts.skippedTargets;
    short.add(parts.shortIds);
  }
  if (samples.train + samples.validation + samples.test === 0 && short.list().count > 0) {
    throw new DataError('too-few-rows', `no id has ${windowNeeds({ window: build.window!, horizon: build.horizon ?? 1 }, true)}`, build.id !== undefined ? { column: build.id } : {});
  }
  if (samples.train === 0) throw new DataError('option', 'no training sample has a known target (check the split and the target column)');
  checkParts(samples, split.column === undefined ? { validation, test } : null);
  const stats = acc.finish();
  const preprocessing = Preprocessing.fromRecord(mixedRecord(options, { build, features, chosen, stats, timeKind: kind, encoding }));
  return {
    preprocessing, notes: fitNotes(options, chosen, skipped, short.list()), samples, gapSampled: acc.gapSampled,
    async* chunks() {
      for await (const chunk of read()) {
        const parts = chunkParts(encode(chunk), build, streamSplit, kind);
        yield { train: chunkDataset(parts, 'train', build, stats), validation: chunkDataset(parts, 'validation', build, stats), test: chunkDataset(parts, 'test', build, stats) };
      }
    },
  };
}

/** A part the split asks for must get samples (the hash meets the shares in expectation: a few ids may give none). */
function checkParts(samples: Record<SplitPart, number>, asked: { validation: number; test: number } | null): void {
  if (!asked) return;
  for (const part of ['validation', 'test'] as const) {
    if (asked[part] > 0 && samples[part] === 0) throw new DataError('option', `the split asks for ${part} data and none comes out of the stream (too few ids for the hashed split, or series shorter than a window and its horizon)`);
  }
}

