// fitMembers(): the members of one AdditiveRNAM trained side by side. Every step each member takes
// the next batch of its own shuffled order over its own training samples, the batches are laid out
// as the members' groups of the grouped layers (one kernel call per layer for all members), one
// backward of the sum of the members' losses and one optimizer step. Nothing couples the members:
// each member's gradient is that of its own loss and AdamW is elementwise, so member m trains
// exactly as fit() would train a one-member model with its seed (bit for bit on the CPU backend).
// Each member early-stops on its own validation loss and ends with its own best weights (or, pooled,
// all stop together on the mean of their validation losses); members that have finished leave the
// side-by-side model, so a late stopper trains at one member's cost.
import { AdditiveRNAM } from '../nn/additive-rnam.js';
import type { Optimizer } from '../optim/optimizer.js';
import { Generator } from '../random.js';
import { Tensor } from '../tensor.js';
import { tensor } from '../creation.js';
import { tidy, untracked } from '../memory.js';
import { noGrad } from '../autograd.js';
import { add } from '../ops/elementwise.js';
import { cat, reshape, split } from '../ops/shape.js';
import { ArgumentError, describeValue } from '../errors.js';
import type { MixedDataset } from '../data/mixed-dataset.js';
import type { DataSource, HostBatch } from './data-source.js';
import { modelInfo } from './model-info.js';
import { checkedSource } from './setup.js';
import { defaultLoss, targetShape, taskMetrics, type Task } from './task.js';
import { weightedLoss, weightSum, checkWeightedData } from './weighted-loss.js';
import { Collector } from './collector.js';
import { EarlyStopping } from './early-stopping.js';
import { NonFiniteGuard } from './non-finite-guard.js';
import { backwardChecked, nonFinite } from './train-epoch.js';
import { ProgressBar } from './progress.js';
import type { BatchStats, EpochStats } from './history.js';

export interface MemberData {
  /** The member's training samples (every member's the same count). */
  train: MixedDataset;
  /** The member's validation samples (every member's the same count), or none. */
  validation?: MixedDataset | null;
  /** The member's shuffles (see shuffleGenerator). */
  generator: Generator;
  /** The most epochs this member trains. */
  epochs: number;
}

export interface MembersEpoch {
  epoch: number;
  /** Per member its epoch's stats; null for a member that had finished before this epoch. */
  stats: (EpochStats | null)[];
}

export interface FitMembersOptions {
  batchSize: number;
  optimizer: Optimizer;
  task: Task;
  /** Early stopping on each member's own validation loss after this many epochs without improvement; each member ends with its best epoch's weights. */
  patience?: number;
  /**
   * With patience: 'each' (the default) stops each member on its own validation loss; 'pooled'
   * watches the mean of the members' validation losses, and every member trains until it stops
   * improving and ends with the weights of the epoch where it was lowest. When members validate on
   * different samples (cross-fitting), the mean reads all of them: a steadier signal than any
   * member's few.
   */
  stopping?: 'each' | 'pooled';
  log?: ((line: string) => void) | null;
  progress?: boolean;
  /** After every epoch; false ends training of every member (each keeps its best weights). */
  onEpoch?: (epoch: MembersEpoch) => void | boolean | Promise<void | boolean>;
  /** After every side-by-side step; loss is the mean of the training members' batch losses. */
  onBatch?: (stats: BatchStats) => void | Promise<void>;
}

export interface MembersFit {
  histories: EpochStats[][];
  /** Per member the epoch whose weights it ends with. */
  bestEpochs: number[];
}

/** The shuffle generator fit() uses for a run after rnam.manualSeed(seed): one draw of the seed's stream seeds it. */
export function shuffleGenerator(seed: number): Generator {
  return new Generator(new Generator(seed).nextUint32());
}

type MemberParts = ReturnType<AdditiveRNAM['memberParts']>;

/** Member m's rows of `buffer` (a parameter's or one of its optimizer slots) into member k's rows of `into`: copy_rows, exact. */
function copyPart(from: MemberParts[number], buffer: Tensor, to: MemberParts[number], into: Tensor): void {
  buffer.device.copy_rows({ src: buffer.buffer, dst: into.buffer, outer: from.outer, srcN: from.rows, dstN: to.rows, inner: from.inner, srcStart: from.start, dstStart: to.start, count: 1 });
}

/** A parameter's name with the member index of its block left out: the same part in any ensemble. */
const partKey = (name: string) => name.replace(/^(sequence\.blocks\.\d+\.)\d+\./, '$1*.');

/** Copies of one member's slices of every parameter, taken from one model and put back into another (their parts in the same order). */
class MemberSnapshot {
  private readonly copies: Tensor[];

  constructor(parts: MemberParts) {
    this.copies = untracked(() => parts.map((p) => Tensor.empty([p.outer * p.inner], p.param.device)));
  }

  private static flat(p: MemberParts[number]): MemberParts[number] {
    return { ...p, rows: 1, start: 0 };
  }

  take(parts: MemberParts): void {
    parts.forEach((p, i) => copyPart(p, p.param, MemberSnapshot.flat(p), this.copies[i]));
  }

  restore(parts: MemberParts): void {
    parts.forEach((p, i) => copyPart(MemberSnapshot.flat(p), this.copies[i], p, p.param));
  }

  dispose(): void {
    for (const t of this.copies) t.dispose();
  }
}

/**
 * The members `keep` (slots of `from`) as a model of their own, their optimizer state with them (a
 * new optimizer of the same class and hyper-parameters): the members whose training ended stop
 * costing anything, and the ones kept go on exactly as they would have.
 */
async function compact(from: AdditiveRNAM, opt: Optimizer, keep: readonly number[]): Promise<{ model: AdditiveRNAM; optimizer: Optimizer }> {
  const { memberSeeds } = from.options;
  const model = new AdditiveRNAM({ ...from.options, members: keep.length, memberSeeds: keep.map((k) => memberSeeds[k]) });
  await model.toAsync(from.bias.device);
  const state = opt.stateDict(), index = new Map(opt.params.map((p, i) => [p, i]));
  const fromParts = keep.map((k) => new Map(from.memberParts(k).map((p) => [partKey(p.name), p])));
  const slots: Record<number, { step: number; slots: Record<string, Tensor> }> = {};
  const made: Tensor[] = [];
  try {
    untracked(() => noGrad(() => {
      model.namedParameters().forEach(([name], j) => {
        const parts = keep.map((_, a) => model.memberParts(a).find((p) => p.name === name) ?? null);
        parts.forEach((to, a) => {
          if (!to) return;
          const src = fromParts[a].get(partKey(name))!;
          copyPart(src, src.param, to, to.param);
          const entry = state.state[index.get(src.param)!];
          if (!entry) return;
          const own = slots[j] ??= { step: entry.step, slots: Object.fromEntries(Object.keys(entry.slots).map((k) => {
            const t = Tensor.empty(to.param.shape, to.param.device);
            made.push(t);
            return [k, t];
          })) };
          for (const [k, t] of Object.entries(entry.slots)) copyPart(src, t, to, own.slots[k]);
        });
      });
    }));
    const OptimizerClass = opt.constructor as new (params: Tensor[], options: object) => Optimizer;
    const { params: _params, ...hyper } = state.paramGroups[0];
    const optimizer = new OptimizerClass(model.parameters(), hyper);
    optimizer.loadStateDict({ optimizer: state.optimizer, state: slots, paramGroups: [{ params: model.parameters().map((_, i) => i), ...hyper }] });
    return { model, optimizer };
  } finally {
    for (const t of made) t.dispose();
  }
}

/** The members' host batches as one input of their groups: group t * members + m is member m's term t. */
function layOut(batches: readonly HostBatch[], device: Tensor['device']): Parameters<AdditiveRNAM['forwardEachMember']>[0] {
  const M = batches.length, b0 = batches[0];
  const join = (part: (b: HostBatch) => { data: Float32Array; shape: number[] } | null) => {
    const first = part(b0);
    if (!first) return null;
    const [terms, ...rest] = first.shape, per = first.data.length / terms;
    const out = new Float32Array(first.data.length * M);
    batches.forEach((b, m) => {
      const d = part(b)!.data;
      for (let t = 0; t < terms; t++) out.set(d.subarray(t * per, (t + 1) * per), (t * M + m) * per);
    });
    return tensor(out, [terms * M, ...rest], { device });
  };
  return {
    sequence: join((b) => (b.x ? { data: b.x, shape: b.shape } : null)),
    lengths: batches.map((b) => b.lengths),
    static: join((b) => b.extra?.static ?? null),
    categorical: join((b) => b.extra?.categorical ?? null),
  };
}

/** Each member's (batch, outDim) outputs of the members' (members, batch, outDim). */
function memberOutputs(yHat: Tensor): Tensor[] {
  const [members, batch, outDim] = yHat.shape;
  return split(yHat, 0, members).map((y) => reshape(y, [batch, outDim]));
}

interface MemberPass {
  loss: number;
  samples: number;
  yHat: Float32Array;
  targets: Float32Array;
  weights: Float32Array | null;
}

/**
 * Every member over its own data without gradients, side by side (as fit's validation pass and
 * predict: in order, the task's loss or the weighted loss per batch).
 */
async function passMembers(model: AdditiveRNAM, sources: readonly DataSource[], batchSize: number, task: Task, withLoss: boolean): Promise<MemberPass[]> {
  const M = sources.length, device = model.bias.device, loss = defaultLoss(task);
  const its = sources.map((s) => s.batches(batchSize, false, new Generator(0))[Symbol.asyncIterator]());
  const acc = sources.map(() => ({ lossSum: 0, batches: 0, samples: 0, weightTotal: 0, yHat: new Collector(), targets: new Collector(), weights: new Collector() }));
  for (;;) {
    const next = await Promise.all(its.map((it) => it.next()));
    if (next.every((r) => r.done)) break;
    if (next.some((r) => r.done)) throw new ArgumentError('fitMembers: every member\'s validation data must hold the same number of samples');
    const batches = next.map((r) => r.value as HostBatch);
    const out = noGrad(() => tidy(() => {
      const { yHat } = model.forwardEachMember(layOut(batches, device));
      const each = withLoss ? memberOutputs(yHat) : [];
      const losses = !withLoss ? null : batches.map((b, m) => {
        const w = b.weights ?? null;
        if (!w) return loss(each[m], tensor(b.y, targetShape(task, b.batch, b.outDim), { device }));
        return weightSum('fit validation', w) > 0 ? weightedLoss(task, each[m], b.y, w) : null;
      });
      const known = losses?.filter((l): l is Tensor => l !== null) ?? [];
      return { yHat, losses: known.length ? cat(known.map((l) => reshape(l, [1])), 0) : null, has: losses?.map((l) => l !== null) ?? [] };
    }));
    let p: Float32Array, l: Float32Array | undefined;
    try {
      [p, l] = await Promise.all([out.yHat.toArray(), out.losses?.toArray()]);
    } finally {
      out.yHat.dispose();
      out.losses?.dispose();
    }
    const per = p.length / M;
    let k = 0;
    batches.forEach((b, m) => {
      const a = acc[m], w = b.weights ?? null;
      a.yHat.push(p.slice(m * per, (m + 1) * per));
      a.targets.push(b.y);
      if (l && out.has[m]) {
        const v = l[k++];
        a.lossSum += w ? v * weightSum('fit validation', w) : v;
      }
      if (w) a.weights.push(w), (a.weightTotal += weightSum('fit validation', w));
      a.batches++;
      a.samples += b.batch;
    });
  }
  return acc.map((a) => {
    const weighted = a.weights.length > 0;
    return { loss: withLoss ? a.lossSum / (weighted ? a.weightTotal : a.batches) : NaN, samples: a.samples, yHat: a.yHat.values(), targets: a.targets.values(), weights: weighted ? a.weights.values() : null };
  });
}

/** Every member's raw outputs (samples, outDim) on its own data, in data order (predict's batches). */
export async function predictMembers(model: AdditiveRNAM, data: readonly MixedDataset[], task: Task): Promise<Float32Array[]> {
  const info = modelInfo('predictMembers', model);
  const sources = data.map((d) => checkedSource('predictMembers', info, d, task, false).source);
  const was = model.training;
  model.eval();
  try {
    return (await passMembers(model, sources, PREDICT_BATCH, task, false)).map((r) => r.yHat);
  } finally {
    if (was) model.train();
  }
}

/** predict()'s default batch size: the held-out predictions are predict's bits. */
const PREDICT_BATCH = 128;

/**
 * Trains the model's members side by side (see the top of the file); returns each member's history.
 * Once members finish (early stop or their epoch cap), the others go on as a model of their own
 * (fewer groups, their optimizer state carried over), and every member's result is written back
 * into `model`; the optimizer given is then not the members' state any more.
 */
export async function fitMembers(model: AdditiveRNAM, data: readonly MemberData[], options: FitMembersOptions): Promise<MembersFit> {
  const M = model.options.members;
  if (data.length !== M) throw new ArgumentError(`fitMembers: ${data.length} members' data for a model of ${M} members`);
  const { batchSize, task, log = null } = options;
  const info = modelInfo('fitMembers', model), device = info.device, loss = defaultLoss(task);
  const sources = data.map((d) => checkedSource('fitMembers', info, d.train, task).source);
  const validations = data.map((d) => (d.validation ? checkedSource('fitMembers validation', info, d.validation, task).source : null));
  for (const s of sources) checkWeightedData('fitMembers', s, undefined);
  for (const v of validations) if (v) checkWeightedData('fitMembers validation', v, undefined);
  if (sources.some((s) => s.samples !== sources[0].samples)) {
    throw new ArgumentError(`fitMembers: the members' training data must hold the same number of samples (batches of one size), got ${sources.map((s) => s.samples).join(', ')}`);
  }
  const hasValidation = validations.every((v) => v !== null);
  if (!hasValidation && validations.some((v) => v !== null)) throw new ArgumentError('fitMembers: give every member validation data or none');
  if (validations.some((v) => v && v.samples !== validations[0]!.samples)) throw new ArgumentError('fitMembers: every member\'s validation data must hold the same number of samples');
  if (options.patience !== undefined && !hasValidation) throw new ArgumentError('fitMembers: early stopping (patience) needs every member\'s validation data');
  const stopping = options.stopping ?? 'each';
  if (stopping !== 'each' && stopping !== 'pooled') throw new ArgumentError(`fitMembers: stopping must be 'each' or 'pooled', got ${describeValue(stopping)}`);
  const pooled = stopping === 'pooled' && options.patience !== undefined;
  const stoppers = options.patience === undefined ? null
    : Array.from({ length: pooled ? 1 : M }, () => new EarlyStopping({ monitor: 'valLoss', patience: options.patience!, restoreBestWeights: false }, task, true, model));
  // The model training now and which member each of its slots is (members drop out as they finish).
  let current = model, opt = options.optimizer, slots = data.map((_, m) => m);
  const partsOf = (m: number) => current.memberParts(slots.indexOf(m));
  const snapshots: (MemberSnapshot | null)[] = data.map(() => null);
  const snapshot = (m: number) => (snapshots[m] ??= new MemberSnapshot(partsOf(m))).take(partsOf(m));
  const histories: EpochStats[][] = data.map(() => []);
  const bestEpochs = data.map(() => 0);
  const training = data.map(() => true);
  const maxEpochs = data.reduce((most, d) => Math.max(most, d.epochs), 0);
  const guard = new NonFiniteGuard(device);
  const steps = Math.ceil(sources[0].samples! / batchSize);
  log?.(`epoch: training loss/validation loss${M > 1 ? ` of members 1 to ${M}${pooled ? '' : ' (- once a member has stopped)'}` : ''}`);
  try {
    for (let epoch = 1; epoch <= maxEpochs && training.some((t) => t); epoch++) {
      const keep = slots.filter((m) => training[m]);
      if (keep.length < slots.length) {
        const next = await compact(current, opt, keep.map((m) => slots.indexOf(m)));
        if (current !== model) current.parameters().forEach((p) => p.dispose());
        ({ model: current, optimizer: opt } = next);
        slots = keep;
      }
      const started = Date.now(), lr = opt.lr;
      const train = await trainEpoch(epoch);
      current.eval();
      const val = hasValidation ? await passMembers(current, slots.map((m) => validations[m]!), batchSize, task, true) : null;
      const seconds = (Date.now() - started) / 1000;
      const stats: (EpochStats | null)[] = data.map(() => null);
      slots.forEach((m, a) => {
        const s: EpochStats = { epoch, trainLoss: train[a].trainLoss, seconds, lr, metrics: { train: train[a].metrics } };
        if (val) {
          s.valLoss = val[a].loss;
          s.metrics.validation = taskMetrics(task, val[a].yHat, val[a].targets, val[a].yHat.length / val[a].samples, val[a].weights);
        }
        stats[m] = s;
      });
      const line = stats.map((s) => (s ? `${s.trainLoss.toFixed(6)}/${s.valLoss?.toFixed(6) ?? '-'}` : '-')).join(' ');
      log?.(`${String(epoch).padStart(3, '0')}: ${line}`);
      if (pooled) {
        // One stopper on the mean validation loss; the members train (and stop) together.
        const mean = slots.reduce((sum, m) => sum + stats[m]!.valLoss!, 0) / slots.length;
        const stop = stoppers![0].update({ ...stats[slots[0]]!, valLoss: mean });
        const improved = stoppers![0].bestEpoch === epoch;
        for (const m of slots) {
          histories[m].push(stats[m]!);
          if (improved) snapshot(m), (bestEpochs[m] = epoch);
          if (stop || epoch === data[m].epochs) training[m] = false;
        }
      } else for (const m of slots) {
        const s = stats[m]!;
        histories[m].push(s);
        let stop = false;
        if (stoppers) {
          stop = stoppers[m].update(s);
          if (stoppers[m].bestEpoch === epoch) snapshot(m), (bestEpochs[m] = epoch);
        } else {
          bestEpochs[m] = epoch;
        }
        if (stop || epoch === data[m].epochs) {
          training[m] = false;
          if (!stoppers) snapshot(m); // its last epoch is its result
          if (M > 1 && stop) log?.(`member ${m + 1}: stopped after epoch ${epoch} (best epoch ${bestEpochs[m]})`);
        }
      }
      if ((await options.onEpoch?.({ epoch, stats })) === false) training.fill(false);
    }
    if (M > 1 && pooled) log?.(`members: best epoch ${bestEpochs[0]} of ${histories[0].length} by the mean of their validation losses`);
    else if (M > 1 && stoppers) log?.(`members: best epochs ${bestEpochs.join(', ')} of ${histories.map((h) => h.length).join(', ')}`);
    else if (M > 1) log?.(`members: each keeps its last epoch's weights (${histories.map((h) => h.length).join(', ')} epochs; no validation samples to stop on)`);
  } finally {
    // Every member's result into the model: its snapshot (best or last epoch), else (training ended by
    // an error, or no epoch improved) the weights it has.
    for (let m = 0; m < M; m++) {
      const own = model.memberParts(m);
      if (snapshots[m]) snapshots[m]!.restore(own);
      else if (current !== model && slots.includes(m)) partsOf(m).forEach((p, i) => copyPart(p, p.param, own[i], own[i].param));
    }
    if (current !== model) current.parameters().forEach((p) => p.dispose());
    for (const s of snapshots) s?.dispose();
    for (const s of stoppers ?? []) s.dispose();
    guard.dispose();
  }
  return { histories, bestEpochs };

  /** One epoch of side-by-side steps of the members training; per slot its mean batch loss and training metrics. */
  async function trainEpoch(epoch: number): Promise<{ trainLoss: number; metrics: ReturnType<typeof taskMetrics> }[]> {
    const K = slots.length;
    current.train();
    const bar = new ProgressBar(`epoch ${epoch}/${maxEpochs}`, steps, options.progress);
    const its = slots.map((m) => sources[m].batches(batchSize, true, data[m].generator)[Symbol.asyncIterator]());
    const acc = slots.map(() => ({ total: 0, step: 0, trained: 0, yHat: new Collector(), targets: new Collector(), weights: new Collector() }));
    let step = 0;
    for (;;) {
      const next = await Promise.all(its.map((it) => it.next()));
      if (next.every((r) => r.done)) break;
      const batches = next.map((r) => r.value as HostBatch);
      // A member whose batch weighs nothing has nothing to learn from it, as in fit; its slices still
      // take the shared optimizer step (zero gradient), the one case where it is not fit's bits.
      const learns = batches.map((b) => !(b.weights && weightSum('fit', b.weights) === 0));
      if (!learns.some((l) => l)) continue;
      step++;
      const out = tidy(() => {
        opt.zeroGrad();
        const { yHat } = current.forwardEachMember(layOut(batches, device));
        const each = memberOutputs(yHat);
        const own = batches.flatMap((b, a) => {
          if (!learns[a]) return [];
          return [b.weights ? weightedLoss(task, each[a], b.y, b.weights) : loss(each[a], tensor(b.y, targetShape(task, b.batch, b.outDim), { device }))];
        });
        let total = own[0];
        for (const l of own.slice(1)) total = add(total, l);
        backwardChecked(total, epoch, step);
        guard.step(opt, total, epoch, step - 1);
        return { values: own.length === 1 ? reshape(own[0], [1]) : cat(own.map((l) => reshape(l, [1])), 0), yHat: yHat.detach() };
      });
      let values: Float32Array, predicted: Float32Array;
      try {
        [values, predicted] = await Promise.all([out.values.toArray(), out.yHat.toArray()]);
      } finally {
        out.values.dispose();
        out.yHat.dispose();
      }
      const per = predicted.length / K;
      let k = 0, sum = 0;
      for (let a = 0; a < K; a++) {
        if (!learns[a]) continue;
        const v = values[k++], c = acc[a], b = batches[a];
        if (!Number.isFinite(v)) throw nonFinite(v, epoch, c.step + 1);
        c.step++;
        c.total += v;
        c.trained += b.batch;
        c.yHat.push(predicted.slice(a * per, (a + 1) * per));
        c.targets.push(b.y);
        if (b.weights) c.weights.push(b.weights);
        sum += v;
      }
      bar.update(step, sum / k);
      await options.onBatch?.({ epoch, step, loss: sum / k });
    }
    bar.done();
    await guard.check();
    return acc.map((c) => ({
      trainLoss: c.total / c.step,
      metrics: c.step ? taskMetrics(task, c.yHat.values(), c.targets.values(), c.yHat.length / c.trained, c.weights.length ? c.weights.values() : null) : {},
    }));
  }
}
