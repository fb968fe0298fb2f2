// The public API of rnam: everything is exported from the package root.
export { Tensor } from './tensor.js';
export type { Backend, BackendKind, DeviceBuffer } from './backend/backend.js';
export { WasmBackend, type WasmBackendOptions } from './backend/wasm/backend.js';
export { device, deviceReason, cpu, type DeviceKind } from './backend/select.js';
export { tensor, zeros, ones, full, toDevice, type TensorOptions } from './creation.js';
export { noGrad, isGradEnabled, type GradNode } from './autograd.js';
export { tidy } from './memory.js';
export { Generator, manualSeed, defaultGenerator } from './random.js';
export { ShapeError, type Shape } from './shape.js';
export { linear } from './ops/linear.js';
export { mingruScan, mingruLayer } from './ops/mingru.js';
export { reshape, slice, cat, split } from './ops/shape.js';
export * from './ops/elementwise.js'; // every op of the file is public: a new op there needs no line here
export { sum, mean, sumFirstAxis, addBroadcast } from './ops/reduce.js';
export { layerNorm } from './ops/layernorm.js';
export { mseLoss } from './ops/loss.js';
export { Unary, Binary, type UnaryOp, type BinaryOp } from './backend/opcodes.js';
export { Module, type LoadStateDictOptions } from './nn/module.js';
export { Linear, type LinearOptions } from './nn/linear.js';
export { MinGRU, type MinGRUOptions } from './nn/mingru.js';
export { LayerNorm, ReLU, Sequential } from './nn/layers.js';
export * as safetensors from './io/safetensors.js';
export { ModuleList, AdditiveLayer, RNAMBlock, FirstOrderRNAM, type FirstOrderRNAMOptions } from './nn/rnam.js';
export { AdditiveRNAM, type AdditiveRNAMOptions, type ResolvedAdditiveRNAMOptions, type AdditiveInputs, type AdditiveMembersOutput, type AdditiveMemberInputs, type AdditiveRNAMDescription } from './nn/additive-rnam.js';
export { Optimizer, SGD, Adam, AdamW, clipGradNorm, type SGDOptions, type AdamOptions } from './optim/optimizer.js';
export { type SequenceDataset, subset, batchIndices, gatherBatch } from './data/dataset.js';
export { generateSeedData, seedDataDefaults, type SeedDataOptions } from './data/friedman.js';
export { fit, type FitOptions } from './train/fit.js';
export { fitMembers, shuffleGenerator, type FitMembersOptions, type MemberData, type MembersEpoch, type MembersFit } from './train/fit-members.js';
export { profileKernels, type KernelProfile } from './backend/profile.js';
export { toDeviceAsync } from './creation.js';
export { WebGPUBackend, type WebGPUBackendOptions, type WebGPUStats, type MingruScanMode } from './backend/webgpu/backend.js';
export type { Device, DeviceOptions } from './backend/select.js';
export { SimpleRNN, GRU, LSTM, type RecurrentOptions, type SimpleRNNOptions } from './nn/rnn.js';
export { ImplicitRNN, type ImplicitRNNOptions, type ImplicitWarning, type ImplicitSolveStats } from './nn/implicit.js';
export { implicitRnn, transpose2d, type ImplicitRnnOptions } from './ops/implicit.js';
export { kernelSpec, kernelNames, type KernelName, type KernelSpec } from './kernels/spec.js';
export type { KernelArgs, KernelMethods } from './kernels/types.js';
// Data: tables (CSV text, objects), arrays in a named layout and streams to sequence datasets.
export { DataError, type DataErrorCode, type DataErrorWhere } from './data/errors.js';
export { readCsv, csvRecords, headerDelimiter, type CsvOptions, type CsvRecord, type TextChunks } from './data/csv.js';
export { tableFromRows, type LongTable } from './data/table.js';
export { missingSpellings, type Cell } from './data/cells.js';
export type { ColumnOptions, WindowOptions, SplitOptions, StandardizeOptions, MissingRule, SplitName, TimeValue } from './data/options.js';
export type { TableDatasetOptions } from './data/table-options.js';
export { datasetsFromCsv, datasetsFromRows, datasetsFromTable, type Datasets } from './data/build.js';
export { SeriesDataset, type Batch, type BatchOptions, type SeriesDatasetInit } from './data/series-dataset.js';
export { fromArrays, type ArrayDatasetOptions } from './data/arrays.js';
export type { Layout } from './data/layout.js';
export { fitStandardizer, standardizeDataset } from './data/dataset-standardize.js';
export { unstandardizeTarget, type Standardizer, type Scale } from './data/standardize.js';
export { splitDataset } from './data/dataset-split.js';
export { windowBatches, fitStreamStandardizer, type RowSource, type StreamOptions, type StreamBatchOptions, type StreamBatch } from './data/stream.js';
export type { TaskHint } from './data/task.js';
export {
  l1Loss, huberLoss, bceWithLogitsLoss, crossEntropyLoss,
  type HuberLossOptions, type BceWithLogitsOptions, type CrossEntropyOptions,
} from './ops/loss.js';
export {
  rmse, mae, r2Score, accuracy, rocAuc, logLoss,
  type Values as MetricValues, type BinaryScoreOptions, type AccuracyOptions, type LogLossOptions, type WeightOptions,
} from './train/metrics.js';
// The typed errors (instanceof RnamError catches every one) and tensor()'s nested values.
export { RnamError, ArgumentError, DeviceError, OutOfMemoryError, NonFiniteError, StateDictError, FileFormatError, JobError, QueueError, type QueueErrorCode } from './errors.js';
export type { NestedValues } from './creation.js';
// Sequence models for any layout, and the last valid step of right-padded sequences.
export { SequenceModel, type SequenceModelOptions, type SequenceCell } from './nn/sequence-model.js';
export { lastStep } from './ops/last-step.js';
export { predictionDatasetFromCsv, predictionDatasetFromTable, type PredictionDataOptions } from './data/prediction-dataset.js';
// Whole-model files (safetensors + rnam metadata), optimizer state, model summaries.
export { save, saveAsync, load, OPTIMIZER_PREFIX, type SaveExtras, type LoadOptions, type LoadedModel, type SavedOptimizerState } from './io/model-file.js';
export { saveFile, loadFile } from './io/model-file-node.js';
export { safeCsvCell, isFormulaLike, type CsvCellOptions } from './io/csv-cells.js';
export { MODEL_FILE_FORMAT, type ModelInfo, type ModelFileMetadata, type DataSettings } from './io/model-metadata.js';
export { registerModelClass, modelClassNames, type ModelClass, type ModelOptions } from './io/model-registry.js';
export type { OptimizerStateDict, OptimizerParamState, OptimizerParamGroup, HyperParameter } from './optim/state-dict.js';
export { summarize, formatSummary, type ModelSummary, type SummaryRow, type SummaryParameter } from './nn/summary.js';
export { VERSION } from './version.js';
// Explanations of an additive model: importance, shape functions, local contributions, and their charts (Vega-Lite specs).
export { explain } from './explain/explain.js';
export { memberOffsets } from './explain/members.js';
export { explanationCharts, type VegaLiteSpec, type ExplanationChartOptions, type ExplanationCharts } from './explain/charts.js';
export { lossChart, type LossChartOptions, type LossHistoryEntry } from './explain/charts.js';
export type {
  Explanation, ExplainOptions, ExplainTask, SequenceSummary, TermImportance, ShapeFunction, ShapePoint, ShapeBin,
  LocalExplanation, LocalContribution, LocalOptions,
} from './explain/types.js';
// Training, evaluation and prediction for every model and data kind; lr schedulers.
export { evaluate, type EvaluateOptions, type Evaluation } from './train/evaluate.js';
export { predict, type PredictOptions, type Prediction } from './train/predict.js';
export type { EpochStats, BatchStats } from './train/history.js';
export type { Task, LossFn } from './train/task.js';
export type { Metrics } from './train/task.js';
export type { TrainingData, ArrayData, StreamedBatch } from './train/data-source.js';
export type { TrainableModel } from './train/model-info.js';
export type { EarlyStoppingOptions } from './train/early-stopping.js';
export type { CheckpointOptions, CheckpointState } from './train/checkpoint.js';
export {
  LRScheduler, StepLR, CosineAnnealingLR, ReduceLROnPlateau,
  type Scheduler, type StepLROptions, type CosineAnnealingLROptions, type ReduceLROnPlateauOptions,
} from './optim/schedulers.js';
// The one path from a table to an explained model: the fitted preprocessing, trainTable, predictTable
// and the model file that carries both; the task module; the model protocol.
export { Preprocessing, PREPROCESSING_VERSION, type PreprocessingRecord, type PreprocessingOptions, type FitNotes, type FitNote } from './pipeline/preprocessing.js';
export { trainTable, type TrainTableOptions, type TrainedTable, type TableEpochStats } from './pipeline/train-table.js';
export { trainStream, type TrainStreamOptions, type TrainedStream } from './pipeline/train-stream.js';
export { predictTable, type PredictTableOptions, type TablePrediction } from './pipeline/predict-table.js';
export { predictStream, type PredictStreamOptions, type PredictionStream, type StreamSummary } from './pipeline/predict-stream.js';
export { predictionCsv, type PredictionRow } from './pipeline/prediction-rows.js';
export { UnseenLevelCounter, describeUnseenLevels, type UnseenLevel } from './pipeline/unseen-levels.js';
export { describeIds, type ShortIds } from './pipeline/short-ids.js';
export { saveTrained, loadTrained, type TrainedModel, type LoadedTrained, type SaveTrainedOptions } from './pipeline/model-file.js';
export type { Centering, TableOutputs } from './pipeline/outputs.js';
export type { Report, ExplainedSample, PredictionIntervals, SplitName as ReportSplit } from './pipeline/report.js';
export { describeHalfWidth } from './pipeline/intervals.js';
export type { TableInput } from './pipeline/table-input.js';
export { inferTask, taskMetricNames, headlineMetric, tasks, maxInferredClasses } from './train/task.js';
export type { ModelDescription, ModelConfig, InputLayout, AdditiveStructure, Describable } from './nn/describe.js';
// Mixed inputs: time-varying features with observed flags and gaps, static and categorical features.
export { MixedDataset, STEP_INPUTS, type MixedBatch } from './data/mixed-dataset.js';
export type { MixedStats } from './data/mixed-build.js';
export type { SplitDatasets } from './pipeline/preprocessing.js';
export type { TableModel } from './pipeline/train-table.js';
export { crossValidate, type CrossValidateOptions, type CrossValidation, type FoldResult } from './pipeline/cross-validate.js';
// Jobs over machines: a BullMQ queue on Redis (bullmq and ioredis are optional, loaded on first use).
export { runJobsOnQueue, JOB_RETENTION_SECONDS, type RunJobsOnQueueOptions, type QueueResult } from './queue/coordinator.js';
export { startQueueWorker, LOCK_DURATION_MS, STALLED_INTERVAL_MS, MAX_STALLED_COUNT, type QueueWorker, type QueueWorkerOptions, type JobHandler } from './queue/worker.js';
export { parseRedisUrl, DEFAULT_QUEUE, type RedisTarget } from './queue/url.js';
export type { QueueJob } from './queue/job-data.js';
export { QueueExecutor } from './queue/executor.js';
export { search, rankingMetric, type SearchOptions, type SearchResult, type TrialResult } from './search/search.js';
export { checkSpace, describeConfig, gridConfigs, randomConfigs, spaceKeys, type SearchSpace, type TrialConfig, type Range } from './search/space.js';
export { runJob, jobKinds, type JobKind } from './jobs/run-job.js';
export { JobStore, jobId } from './jobs/job-store.js';
export type { TrialJob, TrialJobResult } from './jobs/trial-job.js';
export { runJobs, type Job, type JobExecutor, type RunJobsOptions } from './jobs/run-jobs.js';
export { LocalPool } from './jobs/local-pool.js';
export { toJsonSafe, fromJsonSafe } from './jobs/job-json.js';
export type { FoldJob, FoldJobResult, FoldJobOptions } from './jobs/fold-job.js';
